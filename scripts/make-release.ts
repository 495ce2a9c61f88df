// Writes a fake Teleport release archive (+ .sha256) for manual tries, the demo and the benchmark.
//   node dist/scripts/make-release.js --version 13.2.3 [--dir out] [--edition ent] [--os linux]
//     [--arch amd64] [--fips] [--pad 200M] [--hostile NAME]
// Prints the result as JSON on stdout.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Edition, HostileName, ReleaseArch, ReleaseOs } from '../test/helpers/release.js';
import { HOSTILE_NAMES, archiveName, buildRelease, hostileArchive, sha256Line } from '../test/helpers/release.js';

const USAGE = `usage: make-release --version X.Y.Z [--dir DIR] [--edition oss|ent] [--os linux|darwin]
       [--arch amd64|arm64|arm|386] [--fips] [--pad SIZE[K|M|G]] [--hostile ${HOSTILE_NAMES.join('|')}]`;

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined || (allowed as readonly string[]).includes(value)) return value as T | undefined;
  throw new Error(`--${name} must be one of ${allowed.join(', ')}`);
}

function parseSize(text: string | undefined): number {
  if (text === undefined) return 0;
  const match = /^(\d+)([KMG]?)$/i.exec(text);
  if (!match) throw new Error(`--pad: not a size: ${text}`);
  const unit = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 }[(match[2] ?? '').toUpperCase()] ?? 1;
  return Number(match[1]) * unit;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      version: { type: 'string' }, dir: { type: 'string', default: '.' }, edition: { type: 'string' },
      os: { type: 'string' }, arch: { type: 'string' }, fips: { type: 'boolean' }, pad: { type: 'string' },
      hostile: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void console.log(USAGE);
  if (!values.version) throw new Error('--version is required');
  const spec = {
    dir: resolve(values.dir),
    version: values.version.replace(/^v/, ''),
    edition: oneOf<Edition>('edition', values.edition, ['oss', 'ent']),
    os: oneOf<ReleaseOs>('os', values.os, ['linux', 'darwin']),
    arch: oneOf<ReleaseArch>('arch', values.arch, ['amd64', 'arm64', 'arm', '386']),
    fips: values.fips,
  };
  const hostile = oneOf<HostileName>('hostile', values.hostile, HOSTILE_NAMES);
  if (!hostile) {
    console.log(JSON.stringify(await buildRelease({ ...spec, padBytes: parseSize(values.pad) }), null, 2));
    return;
  }
  // A hostile archive under the normal name, with a matching .sha256: it passes the digest check.
  const data = await hostileArchive(hostile, spec.version, spec.edition);
  const name = archiveName(spec);
  const sha256 = createHash('sha256').update(data).digest('hex');
  await mkdir(spec.dir, { recursive: true });
  await writeFile(join(spec.dir, name), data);
  await writeFile(join(spec.dir, `${name}.sha256`), sha256Line(sha256, name));
  console.log(JSON.stringify({ archiveName: name, archivePath: join(spec.dir, name), sha256, size: data.length, hostile }, null, 2));
}

main().catch((error: unknown) => {
  console.error(`make-release: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exitCode = 2;
});
