/**
 * Teleport's release naming, as data: which OS and CPU names Teleport publishes for, and how an
 * archive is named. https://cdn.teleport.dev/teleport[-ent]-v<ver>-<os>-<arch>[-fips]-bin.tar.gz, where
 * FIPS builds exist only as Enterprise builds (teleport-ent-v<ver>-linux-<arch>-fips-bin.tar.gz).
 */
import { ToolsError } from '../errors.js';
import { requirePlainVersion } from '../version.js';

export type Edition = 'oss' | 'ent';
export type TeleportOs = 'linux' | 'darwin' | 'windows';
export type TeleportArch = 'amd64' | 'arm64' | 'arm' | '386';

export interface Platform {
  os: TeleportOs;
  arch: TeleportArch;
}

/** Node's process.platform -> Teleport's OS name. */
const OS_NAMES: Readonly<Record<string, TeleportOs>> = { linux: 'linux', darwin: 'darwin', win32: 'windows' };
/** Node's process.arch -> Teleport's CPU name. */
const ARCH_NAMES: Readonly<Record<string, TeleportArch>> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' };
/** The top folder inside each edition's archive. */
export const ARCHIVE_TOP: Readonly<Record<Edition, string>> = { oss: 'teleport', ent: 'teleport-ent' };
const NAME_PREFIX: Readonly<Record<Edition, string>> = { oss: 'teleport', ent: 'teleport-ent' };

export function detectPlatform(nodePlatform: string = process.platform, nodeArch: string = process.arch): Platform {
  const os = OS_NAMES[nodePlatform];
  const arch = ARCH_NAMES[nodeArch];
  // Teleport publishes one Windows build, amd64; Windows on arm64 runs it emulated.
  if (os === 'windows' && (nodeArch === 'x64' || nodeArch === 'arm64')) return { os, arch: 'amd64' };
  if (!os || !arch || os === 'windows') {
    throw new ToolsError('EPLATFORM', `Teleport publishes no client tools for ${nodePlatform}/${nodeArch} (supported: linux and darwin on x64, arm64, arm, ia32; windows on x64 and arm64)`);
  }
  return { os, arch };
}

export interface ReleaseRef {
  version: string;
  edition: Edition;
  platform: Platform;
  fips?: boolean;
}

export function archiveName(ref: ReleaseRef): string {
  requirePlainVersion(ref.version, 'release version');
  // One Windows build whatever the edition or FIPS setting (docs/behaviour.md item 22).
  if (ref.platform.os === 'windows') return `teleport-v${ref.version}-windows-amd64-bin.zip`;
  if (ref.fips && ref.edition !== 'ent') throw new ToolsError('EUSAGE', 'FIPS builds are Enterprise builds: ask for the ent edition');
  const fips = ref.fips ? '-fips' : '';
  return `${NAME_PREFIX[ref.edition]}-v${ref.version}-${ref.platform.os}-${ref.platform.arch}${fips}-bin.tar.gz`;
}

export function archiveUrl(cdnBaseUrl: string, ref: ReleaseRef): string {
  return `${cdnBaseUrl.replace(/\/+$/, '')}/${archiveName(ref)}`;
}

/** The archive entry path of one binary, e.g. `teleport/tsh` or `teleport-ent/tctl`. */
export function entryPath(edition: Edition, binary: string): string {
  return `${ARCHIVE_TOP[edition]}/${binary}`;
}

/**
 * How a binary can be laid out in an archive, in order of preference: the first layout the archive
 * actually holds wins. macOS archives of Teleport 17 and later carry tsh and tctl as signed app bundles
 * (`teleport/tsh.app/Contents/MacOS/tsh`) that must stay whole (their entitlements need the bundle's
 * provisioning profile); Teleport 16 and older, and every Linux archive, carry bare binaries.
 */
export interface Layout {
  kind: 'bundle' | 'bare' | 'exe';
  os: readonly TeleportOs[];
  /** Binaries that may come in this layout (undefined: any). */
  binaries?: readonly string[];
  /** The directory installed whole, below the top folder and in the published directory. */
  bundleDir?: (binary: string) => string;
  /** The executable below the top folder (inside the bundle for bundles). */
  binaryPath: (binary: string) => string;
}

export const LAYOUTS: readonly Layout[] = [
  {
    kind: 'bundle',
    os: ['darwin'],
    binaries: ['tsh', 'tctl'],
    bundleDir: (b) => `${b}.app`,
    binaryPath: (b) => `${b}.app/Contents/MacOS/${b}`,
  },
  { kind: 'bare', os: ['linux', 'darwin'], binaryPath: (b) => b },
  // Windows zips are flat: `tsh.exe` at the top, no edition folder.
  { kind: 'exe', os: ['windows'], binaryPath: (b) => `${b}.exe` },
];

/** The layouts a binary may have in this platform's archives, preferred first. */
export function layoutsFor(platform: Platform, binary: string): Layout[] {
  return LAYOUTS.filter((l) => l.os.includes(platform.os) && (l.binaries === undefined || l.binaries.includes(binary)));
}

const PLATFORM_PATTERN = /^(linux|darwin|windows)-(amd64|arm64|arm|386)$/;

/** `darwin-arm64` (Teleport's names, as in archive names) -> a Platform; for TELEPORT_TOOLS_TEST_PLATFORM. */
export function parsePlatform(raw: string, variable: string): Platform {
  const m = PLATFORM_PATTERN.exec(raw);
  if (!m) throw new ToolsError('ECONFIG', `${variable} must be <os>-<arch> as in Teleport's archive names (e.g. darwin-arm64), got ${JSON.stringify(raw.slice(0, 40))}`);
  return { os: m[1] as TeleportOs, arch: m[2] as TeleportArch };
}

/** What to take from a release archive for `binaries`: bare entries, and the bundles that may replace them. */
export function archiveLayout(ref: ReleaseRef, binaries: readonly string[]): {
  entries: Record<string, string>;
  bundles: Record<string, { binary: string; name: string; executable: string }>;
  format?: 'zip';
} {
  const top = ARCHIVE_TOP[ref.edition];
  const entries: Record<string, string> = {};
  const bundles: Record<string, { binary: string; name: string; executable: string }> = {};
  for (const binary of binaries) {
    for (const layout of layoutsFor(ref.platform, binary)) {
      if (layout.bundleDir) {
        const name = layout.bundleDir(binary);
        bundles[`${top}/${name}`] = { binary, name, executable: layout.binaryPath(binary).slice(name.length + 1) };
      } else if (layout.kind === 'exe') {
        entries[layout.binaryPath(binary)] = layout.binaryPath(binary);
      } else {
        entries[`${top}/${layout.binaryPath(binary)}`] = binary;
      }
    }
  }
  return ref.platform.os === 'windows' ? { entries, bundles, format: 'zip' } : { entries, bundles };
}
