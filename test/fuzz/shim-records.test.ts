// The shims and the TypeScript slow path decide alike on inputs the profile fuzz target found them
// disagreeing on: each case runs through dash, bash and TypeScript (fuzz/lib/shim-differential.ts).
import { spawnSync } from 'node:child_process';
import { after, test } from 'node:test';
import { closeShells, compareShimAndTypescript } from '../../fuzz/lib/shim-differential.js';
import type { DiffCase } from '../../fuzz/lib/shim-differential.js';

const missing = ['dash', 'bash'].filter((sh) => spawnSync(sh, ['-c', ':']).error !== undefined);
const skip = missing.length > 0 ? `needs ${missing.join(' and ')}` : false;
after(() => closeShells());

const record = (content: string): DiffCase => ({
  tool: 'tsh', args: ['--proxy=a.example.com', 'status'], env: {},
  files: { record: { name: 'a.example.com', kind: 'file', content: Buffer.from(content, 'latin1') } },
});
const stable = (content: string): DiffCase => ({ tool: 'tsh', args: ['status'], env: {}, files: { cloudStableVersion: Buffer.from(content, 'latin1') } });

async function agree(cases: Record<string, DiffCase>): Promise<void> {
  for (const [name, c] of Object.entries(cases)) {
    await compareShimAndTypescript(c).catch((err: Error) => {
      throw new Error(`${name}: ${err.message}`);
    });
  }
}

test("the shims' version filter is isPlainVersion: leading zeros and seven-digit parts are no version in either", { skip }, async () => {
  await agree({
    'pin 01.2.3': { tool: 'tsh', args: [], env: { TELEPORT_TOOLS_VERSION: '01.2.3' }, files: {} },
    'tctl pin 1.02.3': { tool: 'tctl', args: [], env: { TELEPORT_TOOLS_VERSION: '1.02.3' }, files: {} },
    'record 01.2.3': record('01.2.3\n'),
    'record 1.2.1234567': record('1.2.1234567\n'),
    'cloud-stable-version 1.0.00': stable('1.0.00\n'),
  });
});

test('shell and TypeScript read current-profile, cloud-stable-version and cluster-versions alike: NUL bytes, a second line, blanks', { skip }, async () => {
  const profile = (content: string): DiffCase => ({ tool: 'tctl', args: [], env: {}, files: { currentProfile: Buffer.from(content, 'latin1') } });
  await agree({
    'current-profile with a NUL byte': profile('cur.exa\0mple.com\n'),
    'current-profile NUL only': profile('\0\ncur.example.com\n'),
    'current-profile with CRLF': profile('cur.example.com\r\n'),
    'cloud-stable-version with a NUL byte': stable('1.2.\x003\n'),
    'cloud-stable-version with a second line': stable('1.2.3\n4.5.6\n'),
    'cloud-stable-version with blanks': stable(' 1.2.3 \n'),
    'cloud-stable-version with CRLF': stable('1.2.3\r\n'),
    'cloud-stable-version blank first line': stable('\n1.2.3\n'),
    'record with a NUL byte': record('1.2\x00.3\n'),
    'record with a second line': record('1.2.3\ngarbage\n'),
    'record with a trailing blank': record('1.2.3 \n'),
  });
});
