// The `cmc` command line: help everywhere, usage errors exit 2, --json is one document on stdout.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSandbox } from '../helpers/sandbox.js';

describe('teleport-tools cmc command line', () => {
  test('--help for cmc and every subcommand; usage errors exit 2; status --json is one JSON document', async (t) => {
    const sb = await createSandbox();
    t.after(() => sb.remove());
    const help = await sb.cli(['cmc', '--help']);
    assert.equal(help.code, 0);
    for (const sub of ['setup', 'start', 'stop', 'status', 'remove', 'logs']) {
      assert.match(help.stdout, new RegExp(`teleport-tools cmc ${sub} `));
      const r = await sb.cli(['cmc', sub, '--help']);
      assert.equal(r.code, 0, sub);
      assert.match(r.stdout, new RegExp(`^teleport-tools cmc ${sub}`), sub);
    }
    for (const args of [['cmc'], ['cmc', 'bogus'], ['cmc', 'status', '--bogus']]) {
      const r = await sb.cli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stdout, '');
    }
    // No profile at all: an error on stderr, nothing on stdout.
    const none = await sb.cli(['cmc', 'status', '--json']);
    assert.equal(none.code, 1);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /no current Teleport profile: log in with tsh login, or name one with --profile <proxy host>/);
    const named = await sb.cli(['cmc', 'status', '--json', '--profile', 'teleport.example.com:443']);
    assert.equal(named.code, 0, named.stderr);
    const report = JSON.parse(named.stdout) as { profile: string; running: boolean; setup: { completed: boolean } };
    assert.equal(report.profile, 'teleport.example.com');
    assert.equal(report.running, false);
    assert.equal(report.setup.completed, false);
  });
});
