/**
 * The call's profile and the version records, differential: arguments, TELEPORT_PROXY,
 * TELEPORT_TOOLS_VERSION, current-profile, cloud-stable-version and one cluster-versions record
 * (a file, a link or a directory), all drawn from the input, read by the shims (dash and bash) and by
 * the TypeScript slow path; they must decide alike (lib/shim-differential.ts says how).
 */
import { ByteReader } from '../lib/bytes.js';
import { compareShimAndTypescript } from '../lib/shim-differential.js';
import type { DiffCase, HomeFiles } from '../lib/shim-differential.js';
import { argument } from './tsh-args.js';

function optional(r: ByteReader): string | undefined {
  switch (r.pick(4)) {
    case 0: return undefined;
    case 1: return '';
    case 2: return 'off';
    default: return r.chunk(300).toString('utf8').replace(/\0/g, '');
  }
}

/** A record name taken from what the case may resolve to, as long as it can be a file name at all. */
function recordName(r: ByteReader, c: Omit<DiffCase, 'files'>, currentProfile: Buffer | undefined): string | undefined {
  const candidates = [
    ...c.args.flatMap((a) => (a.startsWith('--proxy=') ? [a.slice(8)] : [a])),
    c.env.TELEPORT_PROXY ?? '',
    currentProfile?.toString('utf8').split('\n')[0] ?? '',
  ].map((a) => a.replace(/^.*:\/\//, '').split(/[/,]/)[0]!.replace(/^\[([^\]]*)\].*$/, '$1').replace(/:[0-9]*$/, ''));
  const usable = candidates.filter((n) => n !== '' && n !== '.' && n !== '..' && !/[/\0]/.test(n) && Buffer.byteLength(n) < 250);
  return usable.length === 0 ? undefined : usable[r.pick(usable.length)];
}

export function profileCase(data: Buffer): DiffCase {
  const r = new ByteReader(data);
  const tool = r.pick(4) === 0 ? 'tctl' : 'tsh';
  const args = Array.from({ length: r.pick(9) }, () => argument(r));
  const env = { TELEPORT_PROXY: optional(r), TELEPORT_TOOLS_VERSION: r.pick(3) === 0 ? optional(r) : undefined };
  const files: HomeFiles = {};
  if (r.bool()) files.currentProfile = Buffer.from(r.chunk(300));
  if (r.bool()) files.cloudStableVersion = Buffer.from(r.chunk(64));
  const kind = r.pick(4);
  const name = kind === 0 ? undefined : recordName(r, { tool, args, env }, files.currentProfile);
  if (name !== undefined) files.record = { name, kind: kind === 1 ? 'file' : kind === 2 ? 'symlink' : 'dir', content: Buffer.from(r.chunk(64)) };
  return { tool, args, env, files };
}

export async function fuzz(data: Buffer): Promise<void> {
  await compareShimAndTypescript(profileCase(data));
}
