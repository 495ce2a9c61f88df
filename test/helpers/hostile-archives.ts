// A catalogue of broken and malicious release archives, each a variation of the real layout, for the
// "treat archives as hostile" tests. Each says what a careful installer does with it (docs/behaviour.md item 6).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants as zc } from 'node:zlib';
import { fakeProgram } from './fake-programs.js';
import type { Edition } from './release-layout.js';
import { releaseEntries, topFolder } from './release-layout.js';
import type { StreamEntry, TarEntry, TarOptions } from './tar-writer.js';
import { gzip, pseudoRandomChunks, tar, targz, writeTarGz } from './tar-writer.js';

export const HOSTILE_NAMES = [
  'dotdot', 'absolute', 'symlink-inside', 'symlink-outside', 'hardlink', 'chardev', 'blockdev', 'fifo',
  'duplicate', 'tsh-dir', 'missing-tsh', 'missing-tctl', 'bomb', 'huge-declared-size', 'trailing-garbage',
  'not-gzip', 'truncated-tar', 'truncated-gzip', 'dot-slash', 'long-name', 'long-name-dotdot',
] as const;
export type HostileName = (typeof HOSTILE_NAMES)[number];

export interface HostileArchive {
  name: HostileName;
  /** What a careful installer does: refuse the whole archive, or install tsh/tctl as usual. */
  expect: 'refuse' | 'accept';
  /** One line: what is wrong with it. */
  why: string;
  /** The archive bytes (gzip'd unless the point is that it is not). Only `bomb` is slow, the first time. */
  data(): Promise<Buffer>;
}

/**
 * What an unsafe extractor would create outside its directory, for tests to assert it does not exist:
 * `absolute` as is, `dotdotName` next to the extraction directory (in its parent).
 */
export const ESCAPE_PATHS = {
  absolute: '/tmp/teleport-tools-hostile-absolute',
  dotdotName: 'teleport-tools-hostile-dotdot',
} as const;

interface Ctx {
  top: string;
  base: TarEntry[];
  version: string;
  edition: Edition;
}

const BOMB_SIZE = 3 * 2 ** 30;

/** The base entries with `path` (below the top folder) replaced by `replacement` (nothing if empty). */
function swap(ctx: Ctx, path: string, ...replacement: TarEntry[]): TarEntry[] {
  const at = ctx.base.findIndex((e) => e.path === `${ctx.top}/${path}`);
  if (at === -1) throw new Error(`no ${path} in the release layout`);
  return [...ctx.base.slice(0, at), ...replacement, ...ctx.base.slice(at + 1)];
}

/** The base entries with `extra` inserted before the binaries, so an extractor meets them first. */
function withExtra(ctx: Ctx, ...extra: TarEntry[]): TarEntry[] {
  const at = ctx.base.findIndex((e) => e.path === `${ctx.top}/teleport`);
  return [...ctx.base.slice(0, at), ...extra, ...ctx.base.slice(at)];
}

const tsh = (ctx: Ctx, fields: Partial<TarEntry>): TarEntry => ({ path: `${ctx.top}/tsh`, ...fields });
const tarCutInTsh = (ctx: Ctx): Buffer => {
  const tshAt = tar(ctx.base.slice(0, ctx.base.findIndex((e) => e.path === `${ctx.top}/tsh`)), { end: false }).length;
  return tar(ctx.base, { end: false }).subarray(0, tshAt + 512 + 100); // tsh's header and 100 bytes of its body
};

type Definition = Omit<HostileArchive, 'name' | 'data'> & { build: (ctx: Ctx) => Buffer | Promise<Buffer> };

const archive = (entries: TarEntry[], options?: TarOptions): Buffer => targz(entries, options);

const DEFINITIONS: Record<HostileName, Definition> = {
  dotdot: { expect: 'refuse', why: `an entry climbs out with .. (${ESCAPE_PATHS.dotdotName})`,
    build: (c) => archive(withExtra(c, { path: `${c.top}/../../${ESCAPE_PATHS.dotdotName}`, content: 'escaped\n' })) },
  absolute: { expect: 'refuse', why: `an entry has an absolute path (${ESCAPE_PATHS.absolute})`,
    build: (c) => archive(withExtra(c, { path: ESCAPE_PATHS.absolute, content: 'escaped\n' })) },
  'symlink-inside': { expect: 'refuse', why: 'tsh is a symlink to tctl',
    build: (c) => archive(swap(c, 'tsh', tsh(c, { type: 'symlink', linkpath: 'tctl', mode: 0o777 }))) },
  'symlink-outside': { expect: 'refuse', why: 'tsh is a symlink to /etc/passwd',
    build: (c) => archive(swap(c, 'tsh', tsh(c, { type: 'symlink', linkpath: '/etc/passwd', mode: 0o777 }))) },
  hardlink: { expect: 'refuse', why: 'tsh is a hard link to tctl',
    build: (c) => archive(swap(c, 'tsh', tsh(c, { type: 'hardlink', linkpath: `${c.top}/tctl`, mode: 0o755 }))) },
  chardev: { expect: 'refuse', why: 'tsh is a character device (1,3: /dev/null)',
    build: (c) => archive(swap(c, 'tsh', tsh(c, { type: 'chardev', devmajor: 1, devminor: 3, mode: 0o666 }))) },
  blockdev: { expect: 'refuse', why: 'tsh is a block device (7,0: loop0)',
    build: (c) => archive(swap(c, 'tsh', tsh(c, { type: 'blockdev', devmajor: 7, devminor: 0, mode: 0o660 }))) },
  fifo: { expect: 'refuse', why: 'tsh is a FIFO',
    build: (c) => archive(swap(c, 'tsh', tsh(c, { type: 'fifo', mode: 0o644 }))) },
  duplicate: { expect: 'refuse', why: 'two tsh entries; the second (version 0.0.1) would win in plain tar',
    build: (c) => {
      const first = c.base.find((e) => e.path === `${c.top}/tsh`) as TarEntry;
      return archive(swap(c, 'tsh', first, tsh(c, { mode: 0o755, content: fakeProgram('tsh', { version: '0.0.1' }) })));
    } },
  'tsh-dir': { expect: 'refuse', why: 'tsh is a directory (holding a file)',
    build: (c) => archive(swap(c, 'tsh', tsh(c, { type: 'dir', path: `${c.top}/tsh/` }),
      { path: `${c.top}/tsh/tsh`, mode: 0o755, content: '#!/bin/sh\necho nested\n' })) },
  'missing-tsh': { expect: 'refuse', why: 'no tsh entry', build: (c) => archive(swap(c, 'tsh')) },
  'missing-tctl': { expect: 'refuse', why: 'no tctl entry', build: (c) => archive(swap(c, 'tctl')) },
  bomb: { expect: 'refuse', why: 'a 3 GiB entry of zeros (3 MB compressed) before the binaries: expands past 1 GiB',
    build: (c) => buildBomb(c) },
  'huge-declared-size': { expect: 'refuse', why: 'the tsh header declares 2 GiB; the archive ends long before',
    build: (c) => {
      const real = c.base.find((e) => e.path === `${c.top}/tsh`) as TarEntry;
      return archive(swap(c, 'tsh', { ...real, declaredSize: 2 * 2 ** 30 }));
    } },
  'trailing-garbage': { expect: 'accept', why: '4 KiB of random bytes after the end-of-archive blocks (tar ignores them)',
    build: (c) => archive(c.base, { trailing: Buffer.concat([...pseudoRandomChunks(4096, 'garbage')]) }) },
  'not-gzip': { expect: 'refuse', why: 'an HTML page (a captive portal), not gzip',
    build: () => Buffer.from('<!DOCTYPE html>\n<html><body><h1>Sign in to the Wi-Fi</h1></body></html>\n') },
  'truncated-tar': { expect: 'refuse', why: 'a complete gzip stream of a tar that stops inside tsh',
    build: (c) => gzip(tarCutInTsh(c)) },
  'truncated-gzip': { expect: 'refuse', why: 'the gzip stream itself stops (no trailer) inside tsh',
    build: (c) => gzip(tarCutInTsh(c)).subarray(0, -8) },
  'dot-slash': { expect: 'accept', why: 'every path starts with ./ (what `tar -C dir .` writes); harmless',
    build: (c) => archive([{ path: './', type: 'dir' }, ...c.base.map((e) => ({ ...e, path: `./${e.path}` }))]) },
  'long-name': { expect: 'accept', why: 'tsh and a 200-character example path use GNU long-name (L) records',
    build: (c) => {
      const real = c.base.find((e) => e.path === `${c.top}/tsh`) as TarEntry;
      const long = `${c.top}/examples/${'d'.repeat(100)}/${'f'.repeat(80)}.md`;
      return archive(swap(c, 'tsh', { ...real, longName: true }).concat({ path: long, content: 'long\n' }));
    } },
  'long-name-dotdot': { expect: 'refuse', why: 'a GNU long name hides .. past the 100-byte header name field',
    build: (c) => archive(withExtra(c, {
      path: `${c.top}/examples/${'a'.repeat(120)}/../../../../${ESCAPE_PATHS.dotdotName}`, content: 'escaped\n',
    })) },
};

/** 3 GiB of zeros compress to ~3 MB but take seconds to deflate: built once, cached in the temp dir. */
async function buildBomb(ctx: Ctx): Promise<Buffer> {
  const key = createHash('sha256').update(tar(ctx.base)).update(`bomb-v1 ${BOMB_SIZE}`).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'teleport-tools-test-cache');
  const file = join(dir, `bomb-${ctx.edition}-v${ctx.version}-${key}.tar.gz`);
  const cached = await stat(file).catch(() => undefined);
  if (cached) return readFile(file);
  await mkdir(dir, { recursive: true });
  const zeros = Buffer.alloc(1 << 20);
  const bomb: StreamEntry = {
    path: `${ctx.top}/examples/zeros.img`,
    size: BOMB_SIZE,
    body: function* () {
      for (let i = 0; i < BOMB_SIZE / zeros.length; i++) yield zeros;
    },
  };
  const at = ctx.base.findIndex((e) => e.path === `${ctx.top}/teleport`);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeTarGz(temp, [...ctx.base.slice(0, at), bomb, ...ctx.base.slice(at)], { strategy: zc.Z_RLE });
    await rename(temp, file); // atomic: parallel test processes may race to build it
  } finally {
    await rm(temp, { force: true });
  }
  return readFile(file);
}

/** Every hostile archive for a release version; build the bytes with `data()`. */
export function hostileArchives(version: string, edition: Edition = 'oss'): Record<HostileName, HostileArchive> {
  const ctx: Ctx = { top: topFolder(edition), base: releaseEntries({ version, edition }), version, edition };
  const result = {} as Record<HostileName, HostileArchive>;
  for (const name of HOSTILE_NAMES) {
    const { build, ...rest } = DEFINITIONS[name];
    result[name] = { name, ...rest, data: async () => build(ctx) };
  }
  return result;
}

/** The bytes of one hostile archive. */
export function hostileArchive(name: HostileName, version: string, edition: Edition = 'oss'): Promise<Buffer> {
  return hostileArchives(version, edition)[name].data();
}
