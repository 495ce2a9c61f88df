// Windows rows, under Wine with the real Windows node.exe (scripts/wine-setup.mjs): what the Windows
// launcher costs per `tsh version` over running tsh.exe directly, both through `cmd /c` and interleaved
// by winrun.exe (timed inside Wine, so Wine's own start is left out), and the first run of `tsh version`
// installing a 50 MB zip from the local HTTPS CDN.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO } from '../../test/helpers/sandbox.js';
import { loadWine, timeLines, winPath } from '../../test/windows/wine.js';
import type { WineEnv } from '../../test/windows/wine.js';
import { WinWorld } from '../../test/windows/world.js';
import type { BenchContext, BenchRow, BenchSection } from './types.js';
import { median, targetCell } from './types.js';

const VERSION = '17.0.1';
const BIG_VERSION = '17.0.2';
const ms = (us: number): string => `${(us / 1000).toFixed(1)} ms`;

async function rows(w: WineEnv, ctx: BenchContext): Promise<BenchRow[]> {
  const tmp = await mkdtemp(join(tmpdir(), 'tt-bench-win-'));
  const world = await WinWorld.create(w, tmp, VERSION);
  try {
    const prefix = join(tmp, 'npm-global');
    ctx.log('Windows: npm install -g under Wine...');
    await world.npmInstall(prefix);
    await world.serveZip(VERSION);
    const home = await world.makeHome('user');
    const first = await world.as(home, join(prefix, 'tsh.cmd'), 'version');
    if (first.code !== 0) throw new Error(`first run failed: ${first.stderr}`);
    const user = world.userPrefix(home);
    const exe = winPath(join(home.teleportHome, 'cache', VERSION, 'tsh.exe'));
    // The third arm is one bare Node.js start (node.exe -e 0): what the launcher may cost at most.
    const lines = [
      `cmd.exe /d /s /c "${user}"${winPath(join(prefix, 'tsh.cmd'))}" version"`,
      `cmd.exe /d /s /c "${user}"${exe}" version"`,
      `cmd.exe /d /s /c "${user}"${winPath(w.nodeExe)}" -e 0"`,
    ];
    const rounds = ctx.quick ? 3 : 15;
    ctx.log(`Windows: ${rounds} interleaved rounds of tsh.cmd version and tsh.exe version...`);
    const [launcher, direct, node] = await timeLines(w, lines, rounds, { path: [dirname(w.nodeExe)], env: world.envOf(home) });
    const l = median(launcher ?? []);
    const d = median(direct ?? []);
    const n = median(node ?? []);

    const size = await world.serveZip(BIG_VERSION, { padBytes: ctx.quick ? 5e6 : 50e6 });
    const big = await world.makeHome('big');
    ctx.log(`Windows: first run installing a ${(size / 1e6).toFixed(0)} MB zip...`);
    const [install] = await timeLines(w, [`cmd.exe /d /s /c "${world.userPrefix(big)}"${winPath(join(prefix, 'tsh.cmd'))}" version"`], 1, {
      path: [dirname(w.nodeExe)],
      env: world.envOf(big, { TELEPORT_TOOLS_VERSION: BIG_VERSION }),
    });
    return [
      {
        name: 'Windows (Wine): tsh.cmd version, installed',
        ours: ms(l),
        baseline: `${ms(d)} (tsh.exe)`,
        ratio: (l / d).toFixed(2),
        target: targetCell(`+<= one cmd /c node.exe -e 0 (${ms(n)})`, l - d <= n * 1.25),
        note: `+${ms(l - d)} a call; one bare node.exe start: ${ms(n)}; medians of ${rounds} interleaved rounds, all through cmd /c`,
      },
      {
        name: `Windows (Wine): first run, ${(size / 1e6).toFixed(0)} MB zip`,
        ours: ms(median(install ?? [])),
        baseline: '-',
        ratio: '-',
        target: '-',
        note: 'tsh.cmd version: download, verify, extract tsh.exe and tctl.exe, run',
      },
    ];
  } finally {
    await world.cdn.close();
    await rm(tmp, { recursive: true, force: true });
  }
}

export const windowsBench: BenchSection = {
  title: 'Windows',
  method:
    "Under Wine with the real Windows node.exe and npm (scripts/wine-setup.mjs sets them up). The package is packed and installed with Windows npm; a fake tsh.exe (a real PE program) is served as a Windows release zip from a local HTTPS CDN. Launcher row: `cmd /c tsh.cmd version` (npm's shim, Node.js, the Windows launcher, tsh.exe) against `cmd /c tsh.exe version` and `cmd /c node.exe -e 0`, interleaved round by round and timed inside Wine by winrun.exe; the target: the launcher's extra cost is at most one bare `cmd /c node.exe -e 0` (with 25% for noise). Install row: the first `tsh.cmd version` with a fresh TELEPORT_HOME and a 50 MB zip. Wine's figures are not Windows': compare the two arms of one run.",
  async run(ctx) {
    // Sets up Wine (or finds it cached), as scripts/run-tests.mjs does before the Windows tests.
    spawnSync(process.execPath, [join(REPO, 'scripts', 'wine-setup.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
    const w = loadWine();
    if (typeof w === 'string') {
      ctx.log(`Windows: skipped (${w})`);
      return [{ name: 'Windows (Wine)', ours: '-', baseline: '-', ratio: '-', target: '-', note: `skipped: ${w}` }];
    }
    return rows(w, ctx);
  },
};
