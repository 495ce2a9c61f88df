import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isToolsError } from '../src/errors.js';
import parse from 'semver/functions/parse.js';
import { compareVersions, isPlainVersion, majorOf, parseVersionBody, releaseParts, requirePlainVersion } from '../src/version.js';

describe('version strings', () => {
  test('only plain X.Y.Z is a version', () => {
    for (const v of ['0.0.0', '13.2.3', '17.10.100', '999999.0.1']) assert.equal(isPlainVersion(v), true, v);
    for (const v of ['', 'v13.2.3', '13.2', '13.2.3.4', '13.2.3-rc.1', '13.2.3+meta', '01.2.3', '1.02.3', '1.2.03',
      '1000000.0.0', '../1.2.3', '1.2.3/', ' 1.2.3', '1.2.3\n', 'a.b.c', '１.２.３']) {
      assert.equal(isPlainVersion(v), false, JSON.stringify(v));
    }
  });

  test('requirePlainVersion names the source and shows the value', () => {
    assert.equal(requirePlainVersion('13.2.3', 'x'), '13.2.3');
    assert.throws(() => requirePlainVersion('../../etc', 'TELEPORT_TOOLS_VERSION'), (err: unknown) => {
      assert.ok(isToolsError(err, 'EVERSION'));
      assert.equal(err.message, 'TELEPORT_TOOLS_VERSION is not a plain version X.Y.Z: "../../etc"');
      return true;
    });
  });

  test('the version endpoint body: optional v, white space, CRLF and BOM ignored', () => {
    for (const body of ['v13.2.3', '13.2.3', 'v13.2.3\n', '  v13.2.3\r\n', '\uFEFFv13.2.3\n', '\n\t13.2.3 ']) {
      assert.equal(parseVersionBody(body, 'https://updates.example/v'), '13.2.3', JSON.stringify(body));
    }
  });

  test('anything else in the body is refused with what it got', () => {
    const source = 'https://updates.example/v';
    const cases: [string, string][] = [
      ['', `${source} did not answer a version (got "")`],
      ['vv13.2.3', `${source} did not answer a version (got "vv13.2.3")`],
      ['V13.2.3', `${source} did not answer a version (got "V13.2.3")`],
      ['v13.2.3-rc.1', `${source} did not answer a version (got "v13.2.3-rc.1")`],
      ['v13.2.3\nv13.2.4', `${source} did not answer a version (got "v13.2.3\\nv13.2.4")`],
      ['<html><body>Service Unavailable</body></html>', `${source} did not answer a version (got "<html><body>Service Unavailable</body></"…)`],
    ];
    for (const [body, message] of cases) {
      assert.throws(() => parseVersionBody(body, source), (err: unknown) => {
        assert.ok(isToolsError(err, 'EVERSION'));
        assert.equal(err.message, message);
        return true;
      });
    }
  });

  test('versions compare numerically', () => {
    assert.ok(compareVersions('13.10.0', '13.9.9') > 0);
    assert.ok(compareVersions('9.0.0', '10.0.0') < 0);
    assert.equal(compareVersions('1.2.3', '1.2.3'), 0);
    assert.deepEqual(['13.2.3', '13.10.1', '2.0.0', '13.2.10'].sort(compareVersions), ['2.0.0', '13.2.3', '13.2.10', '13.10.1']);
    assert.equal(majorOf('17.0.1'), 17);
  });

  test('a cluster\'s server_version reads as semver reads it (pre-release and build tags, a leading v)', () => {
    const values = ['17.0.1', '16.0.0-aa', 'v18.10.2', '13.1.1+build.5', '14.0.0-rc.1+x', '0.0.0', '01.2.3', '1.2', '1.2.3.4', '1.2.3-', '1.2.3-a..b',
      '1.2.3 ', ' 1.2.3', 'x1.2.3', '1.2.3-ü', '', 'latest', '17.0.1\n', '1.2.3+', '999999999.0.0', '1.2.3-01', '1.2.3-0a', '\t2.0.0 ', '=1.2.3', 'v 1.2.3', '1.2.3-x.0.y'];
    for (const v of values) {
      const ours = releaseParts(v);
      const theirs = parse(v);
      assert.deepEqual(ours, theirs ? { major: theirs.major, minor: theirs.minor, patch: theirs.patch } : undefined, JSON.stringify(v));
    }
  });
});
