// The one reader of tsh's command line, as a table: subcommand, proxy, --insecure.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readTshArgs } from '../../src/tools/tsh-args.js';
import { readCall } from '../../src/tools/profile.js';

type Row = [args: string[], subcommand: string | undefined, proxy: string | undefined, insecure: boolean];

const ROWS: Row[] = [
  [['login'], 'login', undefined, false],
  [['--insecure', 'login'], 'login', undefined, true],
  [['-d', 'login'], 'login', undefined, false],
  [['-l', 'root', 'login'], 'login', undefined, false],
  [['-lroot', 'login'], 'login', undefined, false],
  [['-dl', 'root', 'login', '--proxy=p.example.com'], 'login', 'p.example.com', false],
  [['--user', 'alice', 'login', '--proxy', 'p.example.com'], 'login', 'p.example.com', false],
  [['--user=alice', 'logout'], 'logout', undefined, false],
  // A flag that wants a value does not take a flag: tsh itself would refuse that.
  [['-l', '--proxy=x', 'login'], 'login', 'x', false],
  [['--user', '--insecure', 'login'], 'login', undefined, true],
  [['--proxy', '--insecure', 'login'], 'login', undefined, true],
  [['--proxy', '-', 'login'], 'login', '-', false],
  // The last --proxy wins; an empty last one names none; nothing after -- counts.
  [['--proxy=a', '--proxy', 'b', 'status'], 'status', 'b', false],
  [['--proxy=a', '--proxy=', 'status'], 'status', undefined, false],
  [['--proxy=a', 'status', '--proxy'], 'status', 'a', false],
  [['ssh', 'host', '--', '--proxy=x', '--insecure'], 'ssh', undefined, false],
  [['ls', '--proxy', 'b'], 'ls', 'b', false],
  [['login', 'extra', '--insecure'], 'login', undefined, true],
  [['--insecure=false', 'login'], 'login', undefined, false],
  [[], undefined, undefined, false],
  [['--'], undefined, undefined, false],
];

describe("tsh's command line", () => {
  test('readTshArgs answers every row', () => {
    for (const [args, subcommand, proxy, insecure] of ROWS) {
      assert.deepEqual(readTshArgs(args), { subcommand, proxy, insecure }, args.join(' '));
    }
  });

  test("readCall: the named proxy (--proxy, else TELEPORT_PROXY), the profile, and tctl's arguments unread", () => {
    const call = readCall({ tool: 'tsh', args: ['-l', '--proxy=Prod.Example.com:443', 'login'], envProxy: 'env.example.com', currentProfile: 'cur.example.com\n' });
    assert.deepEqual(call, { subcommand: 'login', proxy: 'Prod.Example.com:443', insecure: false, namedProxy: 'Prod.Example.com:443', profile: 'Prod.Example.com' });
    const env = readCall({ tool: 'tsh', args: ['--proxy=', 'logout'], envProxy: 'env.example.com:3080', currentProfile: undefined });
    assert.equal(env.namedProxy, 'env.example.com:3080');
    assert.equal(env.profile, 'env.example.com');
    const tctl = readCall({ tool: 'tctl', args: ['--proxy=x.example.com', '--insecure', 'login'], envProxy: undefined, currentProfile: 'cur.example.com' });
    assert.deepEqual(tctl, { subcommand: undefined, proxy: undefined, insecure: false, namedProxy: undefined, profile: 'cur.example.com' });
    const hostile = readCall({ tool: 'tsh', args: ['--proxy=../x', 'login'], envProxy: undefined, currentProfile: 'cur.example.com' });
    assert.equal(hostile.namedProxy, '../x');
    assert.equal(hostile.profile, undefined);
  });
});
