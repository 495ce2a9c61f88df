/**
 * Writes the seed inputs of every target into fuzz/corpus/<target>/seed-*: the hostile archive and
 * bundle catalogues and the release layout the tests build (as plain tar: the archive targets gzip
 * their input), real-shaped and hostile Windows zips, the profile table of
 * test/launcher/profile-cases.ts, and small real-shaped files.
 * Run after a build: `node dist/fuzz/seeds.js`. Running it again rewrites the same files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { hostileArchives } from '../test/helpers/hostile-archives.js';
import type { HostileName } from '../test/helpers/hostile-archives.js';
import { HOSTILE_BUNDLES, BUNDLE_VERSION } from '../test/helpers/hostile-bundles.js';
import { releaseEntries } from '../test/helpers/release-layout.js';
import { tar } from '../test/helpers/tar-writer.js';
import { releaseZipEntries, zip } from '../test/helpers/zip-writer.js';
import type { ZipEntrySpec } from '../test/helpers/zip-writer.js';
import { PROFILE_CASES } from '../test/launcher/profile-cases.js';
import { ROOT } from './setup/jazzer-addon.js';
import { encodeProfileCase } from './lib/profile-encoding.js';

const MAX_SEED_BYTES = 32 * 1024;
const SKIPPED: HostileName[] = ['bomb', 'not-gzip', 'truncated-gzip', 'huge-declared-size'];

function write(target: string, name: string, data: Buffer | string): void {
  const bytes = Buffer.from(data);
  if (bytes.length > MAX_SEED_BYTES) return;
  const dir = join(ROOT, 'fuzz', 'corpus', target);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `seed-${name.replace(/[^A-Za-z0-9._-]+/g, '-')}`), bytes);
}

/** Bodies cut to this many bytes: the fake programs are tens of kilobytes that teach the fuzzer nothing. */
const SLIM_BODY = 64;
/** Release entries the extractor skips unread: left out of seeds (the hostile ones all have other names). */
const UNWANTED = /^teleport\/(examples\/.*|README\.md|CHANGELOG\.md|LICENSE-community|install|VERSION|tbot|fdpass-teleport|teleport)$/;

/**
 * A tar with every body longer than SLIM_BODY cut to that (size and header checksum fixed) and the
 * entries nothing reads left out, so seeds stay small; anything that does not parse as a header is kept as it is.
 */
function slimTar(data: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  while (at + 512 <= data.length) {
    const header = Buffer.from(data.subarray(at, at + 512));
    const size = parseInt(header.toString('latin1', 124, 136).replace(/\0.*$/, '').trim() || '0', 8);
    if (header.every((b) => b === 0)) {
      // The end: two zero blocks, then whatever non-zero bytes follow the padding (trailing garbage).
      const rest = data.subarray(at);
      const garbage = rest.findIndex((b) => b !== 0);
      out.push(Buffer.alloc(1024), garbage === -1 ? Buffer.alloc(0) : rest.subarray(Math.max(1024, garbage - (garbage % 512))));
      return Buffer.concat(out);
    }
    if (!Number.isSafeInteger(size)) break;
    const padded = Math.ceil(size / 512) * 512;
    if (UNWANTED.test(header.toString('latin1', 0, 100).replace(/\0.*$/s, ''))) {
      at += 512 + padded;
      continue;
    }
    if (size > SLIM_BODY && at + 512 + padded <= data.length) {
      header.write(`${SLIM_BODY.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
      header.fill(0x20, 148, 156);
      const sum = header.reduce((a, b) => a + b, 0);
      header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
      const body = Buffer.alloc(512);
      data.copy(body, 0, at + 512, at + 512 + SLIM_BODY);
      out.push(header, body);
    } else out.push(data.subarray(at, Math.min(data.length, at + 512 + padded)));
    at += 512 + padded;
  }
  out.push(data.subarray(Math.min(at, data.length)));
  return Buffer.concat(out);
}

async function archives(): Promise<void> {
  write('archive', 'release', slimTar(tar(releaseEntries({ version: '17.0.1', os: 'linux', arch: 'amd64' }))));
  for (const [name, a] of Object.entries(hostileArchives('17.0.1'))) {
    if (SKIPPED.includes(name as HostileName)) continue;
    const data = await a.data();
    write('archive', name, slimTar(data[0] === 0x1f && data[1] === 0x8b ? gunzipSync(data) : data));
  }
  write('bundle', 'release', slimTar(tar(releaseEntries({ version: BUNDLE_VERSION, os: 'darwin', arch: 'arm64' }))));
  for (const [name, b] of Object.entries(HOSTILE_BUNDLES)) write('bundle', name, slimTar(tar(b.entries())));
}

/** A real-shaped Windows release zip and some of the lies test/artifacts/zip.test.ts catalogues. */
function zips(): void {
  const release = (change: (e: ZipEntrySpec) => ZipEntrySpec = (e) => e, extra: ZipEntrySpec[] = []): ZipEntrySpec[] => [...releaseZipEntries('17.0.1').map(change), ...extra];
  const named = (from: string, to: string) => (e: ZipEntrySpec): ZipEntrySpec => (e.name === from ? { ...e, name: to } : e);
  const tsh = (fields: Partial<ZipEntrySpec>) => (e: ZipEntrySpec): ZipEntrySpec => (e.name === 'tsh.exe' ? { ...e, ...fields } : e);
  const cases: Record<string, Buffer> = {
    release: zip(release()),
    stored: zip(release((e) => ({ ...e, method: 0 }))),
    absolute: zip(release(named('README.md', '/etc/evil'))),
    drive: zip(release(named('README.md', 'C:\\Windows\\evil.dll'))),
    dotdot: zip(release(named('README.md', '..\\evil.exe'))),
    stream: zip(release(named('tsh.exe', 'tsh.exe:hidden'))),
    symlink: zip(release(tsh({ dosAttributes: undefined, unixMode: 0o120777, content: '../../x' }))),
    duplicate: zip(release(undefined, [{ name: 'TSH.EXE', content: 'second' }])),
    'local-name': zip(release(tsh({ local: { name: Buffer.from('evil.exe') } }))),
    'local-size': zip(release(tsh({ local: { uncompressedSize: 5 } }))),
    crc: zip(release(tsh({ central: { crc: 7 }, local: { crc: 7 } }))),
    zip64: zip(release(tsh({ zip64: { uncompressedSize: 2 ** 40, compressedSize: 19 } }))),
    'zip64-end': zip(release(), { zip64End: { locatorOffset: 3 } }),
    truncated: zip(release(), { truncate: 30 }),
  };
  for (const [name, data] of Object.entries(cases)) write('zip', name, data);
}

const DIGEST = 'ab'.repeat(32);
const ARCHIVE = 'teleport-v17.0.1-linux-amd64-bin.tar.gz';

function small(): void {
  const seeds: Record<string, Record<string, string>> = {
    checksum: { line: `${DIGEST}  ${ARCHIVE}\n`, binary: `${DIGEST} *${ARCHIVE}`, crlf: `${DIGEST.toUpperCase()}  ${ARCHIVE}\r\n`, other: `${DIGEST}  other.tar.gz\n`, two: `${DIGEST}  ${ARCHIVE}\n${DIGEST}  ${ARCHIVE}\n` },
    'version-body': { plain: '17.0.1', v: 'v17.0.1\n', bom: '\uFEFFv17.0.1\r\n', rc: '17.0.1-rc.1', html: '<html>17.0.1</html>' },
    find: {
      v17: JSON.stringify({ proxy: { tls_routing_enabled: true }, server_version: '17.0.1', min_client_version: '16.0.0-aa', cluster_name: 'acme', edition: 'ent', fips: false, auto_update: { tools_version: '17.0.2', tools_auto_update: true, agent_version: '17.0.2', agent_auto_update: true } }),
      v16: JSON.stringify({ server_version: '16.4.0', edition: 'oss' }),
      off: JSON.stringify({ server_version: '17.0.1', auto_update: { tools_auto_update: false } }),
      bad: JSON.stringify({ auto_update: { tools_version: '../17', tools_auto_update: true } }),
    },
    resume: { range: 'bytes 100-999/1000\u00ff\u0001"abc"\u00ff\u0001Wed, 21 Oct 2015 07:28:00 GMT', weak: 'bytes 0-0/1\u00ff\u0001W/"x"\u00ff\u0000', star: 'bytes */1000' },
    'lock-holder': { holder: '{"host":"build-1","pid":4242,"start":"123456"}\n', nostart: '{"host":"h","pid":1,"start":null}', big: '{"host":"h","pid":2147483648,"start":"1"}' },
    manifest: {
      bare: JSON.stringify({ version: '17.0.1', edition: 'oss', archive: ARCHIVE, sha256: DIGEST, binaries: ['tsh', 'tctl'], files: { tsh: DIGEST, tctl: DIGEST }, installedAt: '2026-01-01T00:00:00.000Z' }, null, 2),
      bundle: JSON.stringify({ version: '17.0.1', edition: 'oss', archive: 'teleport-v17.0.1-darwin-arm64-bin.tar.gz', sha256: DIGEST, binaries: ['tsh'], files: { 'tsh.app/Contents/MacOS/tsh': DIGEST }, bundles: { tsh: 'tsh.app/Contents/MacOS/tsh' }, bundleEntries: [{ path: 'tsh.app', type: 'dir', mode: '0755' }, { path: 'tsh.app/Contents/MacOS/tsh', type: 'file', mode: '0755', sha256: DIGEST }, { path: 'tsh.app/Contents/Current', type: 'symlink', target: '.' }], installedAt: '2026-01-01T00:00:00.000Z' }),
      minimal: '{"version":"17.0.1","sha256":"x","binaries":["tsh"]}',
    },
    'config-text': {
      set: 'cdn_base_url: https://cdn.example.com/teleport\nedition: ent\nfips: false\n',
      list: 'cloud_proxy_suffixes:\n  - .teleport.sh\n  - .example.com\n',
      flow: 'cloud_proxy_suffixes: [.teleport.sh, .example.com]\nfollow_cluster_version: true\n',
      comment: '# written by teleport-tools config set\nversion_url: https://example.com/v\n',
      numbers: 'http_timeout: 30\nedition: ~\n',
    },
  };
  for (const [target, files] of Object.entries(seeds)) for (const [name, text] of Object.entries(files)) write(target, name, Buffer.from(text, target === 'resume' ? 'latin1' : 'utf8'));
}

function profiles(): void {
  for (const c of PROFILE_CASES) {
    write('profile', c.name, encodeProfileCase(c));
    if (c.tool === 'tsh' && c.envProxy === undefined && c.currentProfile === undefined) write('tsh-args', c.name, encodeProfileCase(c, { argsOnly: true }));
  }
  write('tsh-args', 'login', encodeProfileCase({ tool: 'tsh', args: ['--insecure', 'login', '--proxy=a.example.com'] }, { argsOnly: true }));
  write('tsh-args', 'user-login', encodeProfileCase({ tool: 'tsh', args: ['-l', 'login', 'ssh', 'host'] }, { argsOnly: true }));
}

await archives();
zips();
small();
profiles();
