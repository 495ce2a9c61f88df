// Selection (docs/behaviour.md item 1) as a unit: the pin, the profile's record, cloud-stable-version.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadSettings } from '../../src/settings.js';
import { selectVersion } from '../../src/tools/update.js';

const root = await mkdtemp(join(tmpdir(), 'tt-select-'));
after(() => rm(root, { recursive: true, force: true }));
let n = 0;

/** A TELEPORT_HOME with the given records (file name under it -> content, or a link target with `->`). */
async function homeWith(files: Record<string, string>, env: Record<string, string> = {}) {
  const home = join(root, String(n++));
  await mkdir(join(home, 'cluster-versions'), { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    if (content.startsWith('->')) await symlink(content.slice(2), join(home, name));
    else await writeFile(join(home, name), content);
  }
  return loadSettings({ env: { HOME: root, TELEPORT_HOME: home, ...env }, stderrIsTTY: false });
}

describe('selection', () => {
  test('the pin wins over everything', async () => {
    const s = await homeWith({ 'cloud-stable-version': '1.0.0\n', 'cluster-versions/p.example.com': '2.0.0\n' }, { TELEPORT_TOOLS_VERSION: '3.0.0' });
    assert.deepEqual(await selectVersion(s, 'p.example.com'), { version: '3.0.0', source: 'TELEPORT_TOOLS_VERSION', profile: 'p.example.com' });
  });

  test("the profile's record, else cloud-stable-version, else none", async () => {
    const s = await homeWith({ 'cloud-stable-version': '1.0.0\n', 'cluster-versions/p.example.com': '2.0.0\n' });
    assert.equal((await selectVersion(s, 'p.example.com')).version, '2.0.0');
    assert.equal((await selectVersion(s, 'p.example.com')).source, 'cluster-versions');
    assert.equal((await selectVersion(s, 'q.example.com')).version, '1.0.0');
    assert.equal((await selectVersion(s, undefined)).source, 'cloud-stable-version');
    const empty = await homeWith({});
    assert.deepEqual(await selectVersion(empty, undefined), { version: undefined, source: 'none', profile: undefined, badRecord: undefined });
  });

  test('TELEPORT_TOOLS_VERSION=off still selects from the records', async () => {
    const s = await homeWith({ 'cloud-stable-version': '1.0.0\n', 'cluster-versions/p.example.com': '2.0.0\n' }, { TELEPORT_TOOLS_VERSION: 'off' });
    assert.equal((await selectVersion(s, 'p.example.com')).version, '2.0.0');
  });

  test('an unusable record is reported and cloud-stable-version applies', async () => {
    const s = await homeWith({ 'cloud-stable-version': '1.0.0\n', 'cluster-versions/p.example.com': '2.0.0 \n', 'cluster-versions/l.example.com': '->../cloud-stable-version', 'cluster-versions/e.example.com': '' });
    const bad = await selectVersion(s, 'p.example.com');
    assert.equal(bad.version, '1.0.0');
    assert.match(bad.badRecord?.why ?? '', /does not hold a plain version/);
    assert.equal((await selectVersion(s, 'l.example.com')).badRecord?.why, 'is a symbolic link');
    assert.equal((await selectVersion(s, 'e.example.com')).badRecord?.why, 'is empty');
  });
});
