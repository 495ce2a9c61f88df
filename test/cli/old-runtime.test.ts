// `teleport-tools` on a Node.js below the floor (this Node.js made to report 18.20.4, the version the
// gate reads): --version, --help and doctor still answer; every other command exits 1 with the gate's
// one line, never a stack trace. test/packaging/old-node.test.ts runs the same with a real Node.js 18.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI, createSandbox, run } from '../helpers/sandbox.js';
import type { RunResult, Sandbox } from '../helpers/sandbox.js';

const GATE_LINE = new RegExp(`^teleport-tools: Node\\.js 18\\.20\\.4 \\(${process.execPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\) is too old: teleport-tools needs Node\\.js 20\\.19 or later to install or update; install a newer one .*PATH=/path/to/newer/node/bin:\\$PATH\\n$`);

let box: Sandbox;
let pretend: string;

before(async () => {
  box = await createSandbox({ versionUrl: 'https://127.0.0.1:9/v', cdnBaseUrl: 'https://127.0.0.1:9' });
  pretend = join(box.root, 'pretend.cjs');
  await writeFile(pretend, `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '18.20.4' } });\n`);
});
after(() => box.remove());

const cli = (args: string[]): Promise<RunResult> =>
  run(process.execPath, ['--require', pretend, CLI, ...args], { env: box.env, cwd: box.home });

describe('teleport-tools on Node.js 18', () => {
  test('--version answers the package version', async () => {
    const r = await cli(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
    assert.equal(r.stderr, '');
  });

  test('--help lists the commands and says what needs a newer Node.js', async () => {
    for (const args of [['--help'], ['status', '--help'], ['-h']]) {
      const r = await cli(args);
      assert.equal(r.code, 0, r.stderr);
      for (const command of ['status', 'update', 'config', 'clean', 'doctor', 'completion', 'cmc']) assert.match(r.stdout, new RegExp(`^  teleport-tools ${command} `, 'm'));
      assert.match(r.stdout, /need Node\.js 20\.19 or later/);
      assert.match(r.stderr, GATE_LINE);
    }
  });

  test('doctor: the Node.js line says what is wrong and how to fix it; exit 1', async () => {
    const r = await cli(['doctor']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^FAIL {2}node {14}Node\.js 18\.20\.4 \(.+\) is too old: teleport-tools needs Node\.js 20\.19 or later to install or update\. Fix: install a newer one .*PATH=\/path\/to\/newer\/node\/bin:\$PATH\n$/);
    const json = await cli(['doctor', '--json']);
    assert.equal(json.code, 1);
    const doc = JSON.parse(json.stdout) as { ok: boolean; checks: { name: string; ok: boolean; detail: string; fix: string }[] };
    assert.equal(doc.ok, false);
    assert.deepEqual(doc.checks.map((c) => [c.name, c.ok]), [['node', false]]);
    assert.match(doc.checks[0]?.fix ?? '', /nvm/);
  });

  test('every other command: exit 1 with the gate line alone, no stack trace, nothing on stdout', async () => {
    for (const args of [['status'], ['status', '--json'], ['update', '--version', '17.0.1'], ['config', 'list'], ['clean'], ['cmc', 'status'], ['completion'], [], ['bogus']]) {
      const r = await cli(args);
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
      assert.match(r.stderr, GATE_LINE, args.join(' '));
    }
  });
});
