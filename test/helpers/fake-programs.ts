// Sources of the fake Teleport binaries that go inside test release archives. Each is one file, an sh/JS
// polyglot: `#!/bin/sh`, then `true /*` (sh: a no-op; JS: `true` followed by a block comment that hides the
// sh code), sh code that answers `version` straight away (a benchmark execs it hundreds of times, so no
// Node.js start) and execs node on the same file otherwise, `*/`, then the JavaScript half
// (test/fixtures/fake-teleport/program.js).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const FAKE_TOOLS = ['teleport', 'tctl', 'tsh', 'tbot', 'fdpass-teleport'] as const;
export type FakeTool = (typeof FAKE_TOOLS)[number];

export interface FakeProgramOptions {
  /** Bare semver baked into the program, e.g. `13.2.3`. */
  version: string;
  /** Default `v<version>-0-g<7 hex>`, like Teleport's release builds. */
  gitref?: string;
  /** Default `go1.20`. */
  runtime?: string;
  /** Node.js tried before `node` on PATH, so tests with a scrubbed PATH work. Default: this process's. */
  node?: string;
}

export interface FakeVersion {
  version: string;
  gitref: string;
  runtime: string;
}

const programJs = readFileSync(new URL('../../../test/fixtures/fake-teleport/program.js', import.meta.url), 'utf8');
/** The fake cluster's commands (program.js's extension point), put in front of program.js. */
const clusterJs = readFileSync(new URL('../../../test/fixtures/fake-teleport/cluster.js', import.meta.url), 'utf8');

const SAFE = /^[0-9A-Za-z.+_-]+$/;

/** Resolves the defaults of what a fake program reports. */
export function fakeVersion(options: FakeProgramOptions): FakeVersion {
  const hash = createHash('sha1').update(options.version).digest('hex').slice(0, 7);
  const resolved = {
    version: options.version,
    gitref: options.gitref ?? `v${options.version}-0-g${hash}`,
    runtime: options.runtime ?? 'go1.20',
  };
  for (const [key, value] of Object.entries(resolved)) {
    // These go into sh and JS string literals unescaped.
    if (!SAFE.test(value)) throw new Error(`fake program ${key} must match ${SAFE}: ${value}`);
  }
  return resolved;
}

/** The text `tsh version` prints: `Teleport v13.2.3 git:v13.2.3-0-g1234567 go1.20`. */
export function versionLine(v: FakeVersion): string {
  return `Teleport v${v.version} git:${v.gitref} ${v.runtime}`;
}

/** The text `tsh version --format=json` prints (docs/teleport.md's exact shape). */
export function versionJson(v: FakeVersion): string {
  return `{"version": "${v.version}", "gitref": "${v.gitref}", "runtime": "${v.runtime}"}`;
}

const shQuote = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;

/** The complete source of one fake program (make it executable, mode 0755). */
export function fakeProgram(tool: FakeTool, options: FakeProgramOptions): string {
  const v = fakeVersion(options);
  const node = options.node ?? process.execPath;
  const answers = [
    [`'version'`, versionLine(v)],
    [`'version --format=json'|'version --format json'`, versionJson(v)],
    ...(tool === 'teleport' ? [[`'version --raw'`, v.version]] : []),
  ];
  const sh = [
    '#!/bin/sh',
    'true /*',
    `# Fake \`${tool}\` ${v.version} for teleport-tools tests, made by test/helpers/fake-programs.ts.`,
    '# sh answers `version` without starting Node.js; everything else runs the JavaScript below.',
    '# With FAKE_TELEPORT_LOG set, each call appends "<tool> v<version>: <args> (TELEPORT_TOOLS_VERSION=<value>)".',
    'if [ -n "${FAKE_TELEPORT_LOG-}" ]; then',
    `  printf '%s: %s (TELEPORT_TOOLS_VERSION=%s)\\n' ${shQuote(`${tool} v${v.version}`)} "$*" "\${TELEPORT_TOOLS_VERSION-}" >>"$FAKE_TELEPORT_LOG"`,
    'fi',
    'case "$*" in',
    ...answers.map(([pattern, text]) => `  ${pattern}) printf '%s\\n' ${shQuote(text ?? '')}; exit 0 ;;`),
    'esac',
    `if [ -x ${shQuote(node)} ]; then exec ${shQuote(node)} "$0" "$@"; fi`,
    'exec node "$0" "$@"',
  ].join('\n');
  if (sh.includes('*/')) throw new Error(`sh preamble would end the JS comment early: ${node}`);
  const build = JSON.stringify({ tool, ...v });
  return `${sh}\n*/\nconst BUILD = ${build};\n\n${clusterJs}\n${programJs}`;
}
