// Only our own processes are signalled (docs/behaviour.md item 27): a run record is proven by PID,
// start time and command line, on Linux (/proc) and on macOS (`ps`, taken here on Linux through the
// injectable platform); a PID now used by a stranger, or a record without proof, signals nobody.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parsePsProof, pidRuns, proofOf } from '../../src/process-liveness.js';
import type { ProcessProof } from '../../src/process-liveness.js';
import { agentPaths } from '../../src/cmc/paths.js';
import type { AgentPaths } from '../../src/cmc/paths.js';
import { currentRun, stopRun } from '../../src/cmc/run-lock.js';
import type { RunRecord } from '../../src/cmc/run-lock.js';
import { Running } from './support.js';

type T = { after: (fn: () => Promise<void>) => void };

/** A live process that is not ours to signal (it stands for whatever now has a recycled PID). */
function stranger(t: T): Running {
  const r = new Running(spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30); console.log("ready")']));
  t.after(async () => {
    r.child.kill('SIGKILL');
    await r.exited;
  });
  return r;
}

async function agentDir(t: T): Promise<AgentPaths> {
  const root = await mkdtemp(join(tmpdir(), 'tt-liveness-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const paths = agentPaths({ userData: join(root, 'userData'), cache: join(root, 'cache') }, 'example.teleport.sh');
  await mkdir(paths.dir, { recursive: true });
  return paths;
}

async function recordRun(paths: AgentPaths, record: Omit<RunRecord, 'since' | 'command'>): Promise<void> {
  await writeFile(paths.run, `${JSON.stringify({ command: 'start', since: new Date().toISOString(), ...record })}\n`);
}

const darwin = { platform: 'darwin' as const };

describe('process proof', () => {
  test("ps lines (macOS's format): start time and arguments; a zombie is gone; anything else unknown", () => {
    assert.deepEqual(parsePsProof('Ss   Sat Dec  5 17:33:22 2026 /usr/local/bin/node /x/main.js cmc start\n'), {
      start: 'Sat Dec  5 17:33:22 2026',
      command: '/usr/local/bin/node /x/main.js cmc start',
    });
    assert.deepEqual(parsePsProof('S+ Mon Nov 30 09:01:02 2026 teleport start --config=/a b/config.yaml'), {
      start: 'Mon Nov 30 09:01:02 2026',
      command: 'teleport start --config=/a b/config.yaml',
    });
    assert.equal(parsePsProof('Z    Sat Dec  5 17:33:22 2026 <defunct>'), 'gone');
    assert.equal(parsePsProof(''), 'unknown');
    assert.equal(parsePsProof('S 1733419999 node'), 'unknown');
  });

  test('the macOS way and the Linux way both prove a live process and tell a changed command line', { skip: process.platform !== 'linux' ? 'compares with /proc' : false }, async (t) => {
    const s = stranger(t);
    await s.waitFor(/ready/);
    for (const platform of ['linux', 'darwin'] as const) {
      const proof = proofOf(s.pid, platform);
      assert.ok(proof?.start && proof.command.includes('setInterval'), `${platform}: ${JSON.stringify(proof)}`);
    }
    assert.equal(proofOf(s.pid, 'darwin')?.start.match(/^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$/)?.length, 1);
  });
});

/** An agent directory and a live stranger whose PID the test's run record names. */
async function recycled(t: T): Promise<{ paths: AgentPaths; s: Running; now: ProcessProof }> {
  const paths = await agentDir(t);
  const s = stranger(t);
  await s.waitFor(/ready/);
  const now = proofOf(s.pid, 'darwin');
  assert.ok(now, 'ps shows the stranger');
  return { paths, s, now };
}

/** The record is no live run, stopping finds nothing, and the stranger got no signal. */
async function assertNobodySignalled(paths: AgentPaths, s: Running): Promise<void> {
  assert.equal(await currentRun(paths, darwin), undefined, 'not a live run');
  assert.equal(await stopRun(paths, darwin), undefined, 'nothing was running');
  assert.ok(pidRuns(s.pid) && s.child.signalCode === null, 'the stranger was not signalled');
}

describe('a stranger on a recycled PID (simulated macOS run record)', () => {
  test("a record whose start time is another process's: nobody is signalled, the record is stale", async (t) => {
    const { paths, s } = await recycled(t);
    // What `cmc start` recorded before a reboot: same PID, another start time, our command line.
    const then = { start: 'Thu Jan  1 00:00:00 2026', command: `${process.execPath} /x/dist/src/cli/main.js cmc start` };
    await recordRun(paths, { pid: s.pid, proof: then, agentPid: s.pid, agentProof: { ...then, command: `teleport start --config=${paths.config}` } });
    await assertNobodySignalled(paths, s);
  });

  test('the same start time with another command line is not ours either', async (t) => {
    const { paths, s, now } = await recycled(t);
    await recordRun(paths, { pid: s.pid, proof: { start: now.start, command: `${now.command} cmc start` } });
    await assertNobodySignalled(paths, s);
  });

  test('a record without proof (what macOS runs wrote before) signals nobody', async (t) => {
    const { paths, s } = await recycled(t);
    await recordRun(paths, { pid: s.pid, agentPid: s.pid });
    await assertNobodySignalled(paths, s);
  });

  test('control: the recorded process itself, proven the macOS way, is stopped', async (t) => {
    const { paths, s, now } = await recycled(t);
    await recordRun(paths, { pid: s.pid, proof: now });
    assert.equal((await currentRun(paths, darwin))?.pid, s.pid);
    assert.equal((await stopRun(paths, darwin))?.pid, s.pid);
    assert.equal((await s.exited).signal, 'SIGTERM');
  });
});
