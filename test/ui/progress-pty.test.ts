// Download progress as users see it, with the real launcher under a real pseudo-terminal (util-linux
// `script`, part of Debian's base system): on a TTY one redrawn line on stderr with bytes, percent,
// speed and ETA; with CI set, TERM=dumb, or off a TTY, a start line and an end line only. Never on stdout.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCdn } from '../helpers/cdn-server.js';
import type { CdnServer } from '../helpers/cdn-server.js';
import { buildRelease } from '../helpers/release.js';
import type { BuiltRelease } from '../helpers/release.js';
import { createSandbox, run } from '../helpers/sandbox.js';
import type { RunResult, Sandbox } from '../helpers/sandbox.js';

const VERSION = '15.0.2';
const COLUMNS = 100;
const CLEAR = '\r\x1b[2K';

const scriptVersion = spawnSync('script', ['--version'], { encoding: 'utf8' });
const noPty = scriptVersion.error || !/util-linux/.test(scriptVersion.stdout)
  ? 'needs `script` from util-linux (Debian: bsdutils, part of the base system) to run under a pseudo-terminal'
  : false;

let tmp: string;
let release: BuiltRelease;
let cdn: CdnServer;
const boxes: Sandbox[] = [];

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tt-pty-'));
  // About 2 MB, so the download takes several redraws when paced below.
  release = await buildRelease({ dir: tmp, version: VERSION, padBytes: 2_000_000 });
  cdn = await startCdn({ version: `v${VERSION}` });
  cdn.serveRelease(release);
});
after(async () => {
  await cdn.close();
  for (const box of boxes) await box.remove();
  await rm(tmp, { recursive: true, force: true });
});

async function sandbox(): Promise<Sandbox> {
  const box = await createSandbox({ versionUrl: cdn.versionUrl, cdnBaseUrl: cdn.url });
  boxes.push(box);
  return box;
}

const sh = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * Runs `tsh version` with stderr on a pseudo-terminal of COLUMNS columns and stdout in a file.
 * Returns what the terminal received (line ends normalised) and what went to stdout.
 */
async function tshInPty(box: Sandbox, extra: Record<string, string | undefined> = {}): Promise<{ r: RunResult; terminal: string; stdout: string }> {
  const outFile = join(box.root, 'stdout.txt');
  const command = `stty cols ${COLUMNS} rows 24; exec ${sh(join(box.bin, 'tsh'))} version >${sh(outFile)}`;
  const r = await run('script', ['-qec', command, '/dev/null'], { env: { ...box.env, SHELL: '/bin/sh', ...extra }, cwd: box.home });
  return { r, terminal: r.stdout.replaceAll('\r\n', '\n'), stdout: await readFile(outFile, 'utf8') };
}

describe('download progress', () => {
  it('on a terminal: one line redrawn in place with bytes, percent, speed and ETA, then a summary', { skip: noPty }, async () => {
    const box = await sandbox();
    cdn.behave(`/${release.archiveName}`, { kind: 'slow', bytesPerSecond: 8_000_000, times: 1 });
    const { r, terminal, stdout } = await tshInPty(box);
    assert.equal(r.code, 0, terminal);
    assert.match(stdout, /^Teleport v15\.0\.2 git:\S+ go1\.20\n$/, 'stdout holds only what tsh printed');

    const frames = terminal.split(CLEAR);
    const bars = frames.filter((f) => f.includes('ETA'));
    assert.ok(bars.length >= 2, `a first frame and a 100% frame at least:\n${JSON.stringify(terminal)}`);
    const mb = (release.size / 1e6).toFixed(1);
    assert.match(bars[0] ?? '', new RegExp(`^(Downloading )?${release.archiveName.replaceAll('.', '\\.')} \\[> +\\] +0% +0\\.0/${mb} MB +--/s +ETA --:--$`));
    const last = bars.at(-1) ?? '';
    assert.match(last, new RegExp(`\\[=+\\] 100% +${mb}/${mb} MB +[\\d.]+ [kMG]?B/s +ETA 0:00$`));
    for (const bar of bars) {
      assert.ok(!bar.includes('\n'), `a progress frame never ends a line: ${JSON.stringify(bar)}`);
      assert.ok(bar.length < COLUMNS, `wider than the terminal: ${bar}`);
      assert.match(bar, /\d+%/);
    }
    // What is left on screen: the plain lines, the bar erased and replaced by the summary.
    const screen = frames.at(-1) ?? '';
    assert.match(screen, new RegExp(`^Downloaded ${release.archiveName.replaceAll('.', '\\.')} \\(${mb} MB\\) in \\d+\\.\\d s\\nInstalled tsh/tctl v15\\.0\\.2\\.\\n$`));
    assert.match(frames[0] ?? '', /^Installing Teleport client tools v15\.0\.2\.\.\.\n$/);
  });

  for (const [label, extra] of [
    ['with CI set', { CI: 'true' }],
    ['with TERM=dumb', { TERM: 'dumb' }],
  ] as const) {
    it(`on a terminal ${label}: a start line and an end line only`, { skip: noPty }, async () => {
      const box = await sandbox();
      const { r, terminal, stdout } = await tshInPty(box, extra);
      assert.equal(r.code, 0, terminal);
      assert.match(stdout, /^Teleport v15\.0\.2 /);
      assert.ok(!terminal.includes('\r') && !terminal.includes('\x1b'), JSON.stringify(terminal));
      assertPlain(terminal);
    });
  }

  it('off a terminal (stderr a pipe): a start line and an end line only', async () => {
    const box = await sandbox();
    const r = await box.tool('tsh', ['version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Teleport v15\.0\.2 git:\S+ go1\.20\n$/);
    assertPlain(r.stderr);
  });
});

function assertPlain(stderr: string): void {
  const name = release.archiveName.replaceAll('.', '\\.');
  const mb = (release.size / 1e6).toFixed(1);
  const lines = stderr.split('\n');
  assert.equal(lines.length, 5, stderr);
  assert.equal(lines[0], 'Installing Teleport client tools v15.0.2...');
  assert.equal(lines[1], `Downloading ${release.archiveName} (${mb} MB)...`);
  assert.match(lines[2] ?? '', new RegExp(`^Downloaded ${name} \\(${mb} MB\\) in \\d+\\.\\d s$`));
  assert.equal(lines[3], 'Installed tsh/tctl v15.0.2.');
  assert.equal(lines[4], '');
}
