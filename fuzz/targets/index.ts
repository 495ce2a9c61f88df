/**
 * Every fuzz target: its module under dist/fuzz/targets/, whether its fuzz function is synchronous
 * (Jazzer.js runs those without a promise per input), and the largest input worth mutating.
 */
export interface TargetInfo {
  name: string;
  sync: boolean;
  maxLen: number;
  /** What it checks, for the table in docs/fuzzing.md. */
  what: string;
  /** Programs it runs. */
  needs?: readonly string[];
}

export const TARGETS: readonly TargetInfo[] = [
  { name: 'archive', sync: false, maxLen: 16384, what: 'linux tar.gz through extractEntries' },
  { name: 'bundle', sync: false, maxLen: 32768, what: 'macOS tar.gz (app bundles) through extractEntries' },
  { name: 'zip', sync: false, maxLen: 16384, what: 'Windows zips through saveZip and extractZip' },
  { name: 'checksum', sync: true, maxLen: 4096, what: '.sha256 files' },
  { name: 'version-body', sync: true, maxLen: 1024, what: 'version endpoint bodies' },
  { name: 'find', sync: true, maxLen: 4096, what: '/webapi/find bodies' },
  { name: 'resume', sync: true, maxLen: 1024, what: 'Content-Range and If-Range validators' },
  { name: 'lock-holder', sync: false, maxLen: 1024, what: 'lock holder files' },
  { name: 'manifest', sync: false, maxLen: 4096, what: 'manifests and their readers' },
  { name: 'config-text', sync: false, maxLen: 2048, what: 'tools.yaml, against the yaml package' },
  { name: 'profile', sync: false, maxLen: 1024, what: 'profile and version records, shims vs TypeScript', needs: ['dash', 'bash'] },
  { name: 'tsh-args', sync: false, maxLen: 1024, what: 'tsh arguments, shims vs TypeScript', needs: ['dash', 'bash'] },
];
