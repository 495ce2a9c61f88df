/**
 * Teleport's release naming, as data: which OS and CPU names Teleport publishes for, and how an
 * archive is named. https://cdn.teleport.dev/teleport[-ent]-v<ver>-<os>-<arch>[-fips]-bin.tar.gz
 */
import { ToolsError } from '../errors.js';
import { requirePlainVersion } from '../version.js';

export type Edition = 'oss' | 'ent';
export type TeleportOs = 'linux' | 'darwin';
export type TeleportArch = 'amd64' | 'arm64' | 'arm' | '386';

export interface Platform {
  os: TeleportOs;
  arch: TeleportArch;
}

/** Node's process.platform -> Teleport's OS name. */
const OS_NAMES: Readonly<Record<string, TeleportOs>> = { linux: 'linux', darwin: 'darwin' };
/** Node's process.arch -> Teleport's CPU name. */
const ARCH_NAMES: Readonly<Record<string, TeleportArch>> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' };
/** The top folder inside each edition's archive. */
export const ARCHIVE_TOP: Readonly<Record<Edition, string>> = { oss: 'teleport', ent: 'teleport-ent' };
const NAME_PREFIX: Readonly<Record<Edition, string>> = { oss: 'teleport', ent: 'teleport-ent' };

export function detectPlatform(nodePlatform: string = process.platform, nodeArch: string = process.arch): Platform {
  const os = OS_NAMES[nodePlatform];
  const arch = ARCH_NAMES[nodeArch];
  if (!os || !arch) {
    throw new ToolsError('EPLATFORM', `Teleport publishes no client tools for ${nodePlatform}/${nodeArch} (supported: linux and darwin on x64, arm64, arm, ia32)`);
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
