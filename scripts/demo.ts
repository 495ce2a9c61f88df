// `npm run demo`: the whole flow, offline, against a local HTTPS "CDN" on 127.0.0.1 serving two
// Teleport-shaped releases built on the spot. Every command shown is really run; its output is real.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCdn } from '../test/helpers/cdn-server.js';
import { FakeCluster, defaultCluster } from '../test/helpers/fake-cluster.js';
import { buildRelease, currentPlatform } from '../test/helpers/release.js';
import { tlsPaths } from '../test/helpers/tls.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO, 'dist', 'src', 'cli', 'main.js');
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);

function say(text: string): void {
  process.stdout.write(`\n${bold(`== ${text}`)}\n`);
}

/** Runs a command as a user would type it, showing it and its output (stdout and stderr). */
function show(env: NodeJS.ProcessEnv, shown: string, file: string, args: string[]): Promise<number> {
  process.stdout.write(`${dim('$')} ${shown}\n`);
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject).on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      process.stdout.write(dim(`  (exit ${code}, ${ms.toFixed(0)} ms)\n`));
      resolve(code ?? 1);
    });
  });
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'teleport-tools-demo-'));
  const cdnDir = join(root, 'cdn');
  const home = join(root, 'home');
  const bin = join(root, 'bin');
  await mkdir(home, { recursive: true });
  await mkdir(bin);
  // What `npm install -g teleport-tools` does: links the launchers into a bin directory on PATH.
  await symlink(join(REPO, 'shims', 'tsh'), join(bin, 'tsh'));
  await symlink(join(REPO, 'shims', 'tctl'), join(bin, 'tctl'));
  await symlink(CLI, join(bin, 'teleport-tools'));

  say('Building two Teleport-shaped releases (v13.2.3 and v13.3.0) and serving them over HTTPS on 127.0.0.1');
  const platform = currentPlatform();
  const v1 = await buildRelease({ dir: cdnDir, version: '13.2.3', edition: 'oss', ...platform });
  const v2 = await buildRelease({ dir: cdnDir, version: '13.3.0', edition: 'oss', ...platform });
  const cdn = await startCdn({ version: 'v13.2.3' });
  cdn.serveRelease(v1);
  cdn.serveRelease(v2);
  // A macOS release of Teleport 17 (tsh.app and tctl.app bundles), for step 6.
  cdn.serveRelease(await buildRelease({ dir: cdnDir, version: '17.0.1', edition: 'oss', os: 'darwin', arch: 'arm64' }));
  const cluster = await FakeCluster.create(join(root, 'cluster.json'), defaultCluster(cdn.url.replace('https://', '')));
  process.stdout.write(`CDN: ${cdn.url}  (archives: ${v1.archiveName}, ${v2.archiveName})\n`);

  const env: NodeJS.ProcessEnv = {
    PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: home,
    TELEPORT_HOME: join(home, '.tsh'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    TELEPORT_TOOLS_VERSION_URL: cdn.versionUrl,
    TELEPORT_CDN_BASE_URL: cdn.url,
    NODE_EXTRA_CA_CERTS: tlsPaths.ca,
    FAKE_TELEPORT_CLUSTER: cluster.file,
    TELEPORT_USER: 'alice',
    LANG: process.env.LANG ?? 'C.UTF-8',
    TERM: process.env.TERM ?? 'dumb',
  };
  const tsh = join(bin, 'tsh');
  const tctl = join(bin, 'tctl');
  const tt = join(bin, 'teleport-tools');
  let failures = 0;
  const step = async (shown: string, file: string, args: string[]) => {
    if ((await show(env, shown, file, args)) !== 0) failures++;
  };

  try {
    say('1. First run: nothing installed, so the launcher asks the version endpoint, downloads, verifies and installs');
    await step('tsh version', tsh, ['version']);

    say('2. The fast path: the installed version runs straight from the sh launcher (no Node.js, no network)');
    const before = cdn.requests.length;
    await step('tsh version --format=json', tsh, ['version', '--format=json']);
    process.stdout.write(`  requests made: ${cdn.requests.length - before}\n`);

    say('3. Teleport Cloud publishes v13.3.0; `tsh login` to a Cloud proxy picks it up (RFD 0144). The demo CDN');
    say('   stands in for the Cloud proxy too (so nothing leaves this machine): its host counts as Cloud here');
    const proxy = new URL(cdn.url).host;
    await step('teleport-tools config set cloud_proxy_suffixes .teleport.sh,.0.0.1', tt, ['config', 'set', 'cloud_proxy_suffixes', '.teleport.sh,.0.0.1']);
    cdn.setVersion('v13.3.0');
    await step(`tsh login --proxy=${proxy} --user=alice`, tsh, ['login', `--proxy=${proxy}`, '--user=alice']);

    say('4. tctl uses the new version too');
    await step('tctl version', tctl, ['version']);

    say('5. What is installed and why');
    await step('teleport-tools status', tt, ['status']);

    say('6. macOS, Teleport 17+: the signed tsh.app/tctl.app bundles are installed whole, tsh links into them');
    const mac = { ...env, TELEPORT_HOME: join(home, '.tsh-mac'), TELEPORT_TOOLS_TEST_PLATFORM: 'darwin-arm64', TELEPORT_TOOLS_VERSION: '17.0.1' };
    if ((await show(mac, 'TELEPORT_TOOLS_TEST_PLATFORM=darwin-arm64 TELEPORT_TOOLS_VERSION=17.0.1 tsh version', tsh, ['version'])) !== 0) failures++;
    if ((await show(mac, 'ls -l ~/.tsh-mac/cache/17.0.1', 'ls', ['-l', join(home, '.tsh-mac', 'cache', '17.0.1')])) !== 0) failures++;

    const cmcDemo = join(REPO, 'dist', 'scripts', 'demo-cmc.js');
    if (existsSync(cmcDemo)) {
      say('7. Connect My Computer: share this computer with the (fake) cluster as an SSH node');
      const { runCmcDemo } = (await import(cmcDemo)) as { runCmcDemo: (o: unknown) => Promise<void> };
      await runCmcDemo({ env, log: (line: string) => process.stdout.write(`${line}\n`), cli: tt, tsh, cdn, cluster, root });
    }
  } finally {
    await cdn.close();
    await rm(root, { recursive: true, force: true });
  }
  process.stdout.write(`\n${failures === 0 ? bold('Demo finished: every step succeeded.') : bold(`Demo finished with ${failures} failed step(s).`)}\n`);
  process.exitCode = failures === 0 ? 0 : 1;
}

await main();
