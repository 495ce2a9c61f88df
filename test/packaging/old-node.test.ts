// The installed npm package with Debian 12's own Node.js 18.20 first on PATH, as a user who ran
// `apt install nodejs npm` has it: tsh and tctl still run what is installed (with the gate's one line
// when they need Node.js), nothing installed exits 1 with that line, and `teleport-tools` answers
// --version, --help and doctor and refuses the rest with that line. The Node.js 18 comes from
// test/helpers/old-node.sh (Debian's packages, unpacked into /tmp, never installed); where it cannot
// be fetched, this file skips and says why.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCdn } from '../helpers/cdn-server.js';
import type { CdnServer } from '../helpers/cdn-server.js';
import { installPacked } from '../helpers/npm.js';
import { buildRelease } from '../helpers/release.js';
import { REPO, SYSTEM_PATH, createSandbox, run } from '../helpers/sandbox.js';
import type { RunResult, Sandbox } from '../helpers/sandbox.js';

const VERSION = '17.0.1';

/** The Debian Node.js 18 wrapper, or why there is none here. */
function oldNode(): { node: string } | { skip: string } {
  if (spawnSync('npm', ['--version']).error) return { skip: 'npm is not on PATH' };
  const r = spawnSync('sh', [join(REPO, 'test', 'helpers', 'old-node.sh')], { encoding: 'utf8' });
  if (r.status === 0) return { node: r.stdout.trim() };
  return { skip: `no Debian Node.js 18 here: ${r.stderr.trim() || `old-node.sh exited ${r.status}`}` };
}
const found = oldNode();
const skip = 'skip' in found ? found.skip : false;


let tmp: string;
let prefix: string;
let cdn: CdnServer;
let box: Sandbox;
let version: string;
/** The real Node.js 18 binary the wrapper runs (what the gate names). */
let realOld: string;
let oldPath: string;

before(async () => {
  if (!('node' in found)) return;
  tmp = await mkdtemp(join(tmpdir(), 'tt-old-node-'));
  ({ prefix, version } = await installPacked(tmp));
  cdn = await startCdn({ version: `v${VERSION}` });
  cdn.serveRelease(await buildRelease({ dir: join(tmp, 'cdn'), version: VERSION }));
  box = await createSandbox({ versionUrl: cdn.versionUrl, cdnBaseUrl: cdn.url });
  realOld = join(dirname(found.node), 'root', 'usr', 'bin', 'node');
  // The package's commands, then Debian's Node.js 18, then the system (whose own node comes later).
  oldPath = `${join(prefix, 'bin')}:${dirname(found.node)}:${SYSTEM_PATH}`;
});
after(async () => {
  if (!('node' in found)) return;
  await cdn.close();
  await box.remove();
  await rm(tmp, { recursive: true, force: true });
});

const runBin = (name: string, args: string[], PATH = oldPath): Promise<RunResult> =>
  run(join(prefix, 'bin', name), args, { env: { ...box.env, PATH }, cwd: box.home });
const gateLine = (): RegExp =>
  new RegExp(`^teleport-tools: Node\\.js 18\\.\\d+\\.\\d+ \\(${realOld.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\) is too old: teleport-tools needs Node\\.js 20\\.19 or later to install or update; install a newer one .*PATH=/path/to/newer/node/bin:\\$PATH\\n$`);

describe('the installed package with Debian Node.js 18 first on PATH', { skip, timeout: 180_000 }, () => {
  it('the old runtime is what the package gets', async () => {
    const r = await run('node', ['-p', 'process.versions.node'], { env: { PATH: oldPath } });
    assert.match(r.stdout, /^18\./);
  });

  it('tsh with nothing installed: exit 1 with the gate line and no request', async () => {
    const r = await runBin('tsh', ['version']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, gateLine());
    assert.equal(cdn.requests.length, 0);
  });

  it('teleport-tools: --version and --help answer, doctor says what is wrong, status exits 1 with the line', async () => {
    const v = await runBin('teleport-tools', ['--version']);
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout, `${version}\n`);
    const help = await runBin('teleport-tools', ['--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^ {2}teleport-tools status /m);
    assert.match(help.stderr, gateLine());
    const doctor = await runBin('teleport-tools', ['doctor']);
    assert.equal(doctor.code, 1);
    assert.match(doctor.stdout, /^FAIL {2}node {14}Node\.js 18\.\d+\.\d+ \(.+\) is too old: .* Fix: install a newer one /);
    for (const args of [['status'], ['update'], ['cmc', 'status']]) {
      const r = await runBin('teleport-tools', args);
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(r.stdout, '');
      assert.match(r.stderr, gateLine(), args.join(' '));
    }
  });

  it('with a version installed: the fast path as ever, and tsh login runs it with the one line', async () => {
    // Installed earlier with a supported Node.js first on PATH.
    const first = await runBin('tsh', ['version'], `${join(prefix, 'bin')}:${SYSTEM_PATH}`);
    assert.equal(first.code, 0, first.stderr);
    const mark = cdn.requests.length;

    const fast = await runBin('tsh', ['version']);
    assert.equal(fast.code, 0, fast.stderr);
    assert.match(fast.stdout, /^Teleport v17\.0\.1 /);
    assert.equal(fast.stderr, '');

    const login = await runBin('tsh', ['__args', 'login', '--proxy', 'example.teleport.sh']);
    assert.equal(login.code, 0, login.stderr);
    assert.deepEqual(JSON.parse(login.stdout), ['login', '--proxy', 'example.teleport.sh']);
    assert.match(login.stderr, gateLine());
    const tctl = await runBin('tctl', ['version']);
    assert.equal(tctl.code, 0, tctl.stderr);
    assert.equal(cdn.requests.length, mark, 'an old runtime makes no request');
  });
});
