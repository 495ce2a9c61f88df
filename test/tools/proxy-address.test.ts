// The proxy-address normaliser, the profile-name rule and the record-line reader, as units.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hostOfAddress, isCloudHost, portOfAddress, profileOfAddress } from '../../src/tools/proxy-address.js';
import { MAX_PROFILE_LENGTH, isProfileName } from '../../src/tools/profile-name.js';
import { recordLine } from '../../src/tools/record-line.js';
import { checkProfile } from '../../src/cmc/paths.js';

describe('proxy addresses', () => {
  test('the host: scheme, path, port list, IPv6 and case', () => {
    const cases: [string, string][] = [
      ['proxy.example.com', 'proxy.example.com'],
      ['proxy.example.com:3080', 'proxy.example.com'],
      ['proxy.example.com:443,3023', 'proxy.example.com'],
      ['https://proxy.example.com:443/web/cluster', 'proxy.example.com'],
      ['HTTPS://Prod.Example.com', 'Prod.Example.com'],
      ['Prod.Example.com:443', 'Prod.Example.com'],
      ['[::1]:3080', '::1'],
      ['[::1]:3080,3023', '::1'],
      ['[fe80::1]', 'fe80::1'],
      ['::1', '::1'],
      ['fe80::1:3080', 'fe80::1:3080'],
      ['host:', 'host'],
      ['host:notaport', 'host:notaport'],
      [' host', ' host'],
      ['a.example.com/b', 'a.example.com'],
      ['', ''],
    ];
    for (const [address, host] of cases) assert.equal(hostOfAddress(address), host, address);
  });

  test('the port, and the profile an address names', () => {
    assert.equal(portOfAddress('h:3080'), '3080');
    assert.equal(portOfAddress('h:443,3023'), '443');
    assert.equal(portOfAddress('[::1]:3080'), '3080');
    assert.equal(portOfAddress('https://h:8443/web'), '8443');
    assert.equal(portOfAddress('h:123456'), '123456');
    for (const none of ['h', 'h:', '::1', 'fe80::1:3080', 'https://h/web']) assert.equal(portOfAddress(none), undefined, none);
    assert.equal(profileOfAddress('Prod.Example.com:443'), 'Prod.Example.com');
    for (const bad of ['../x', 'host:notaport', ' host', '-x', '', '/etc']) assert.equal(profileOfAddress(bad), undefined, bad);
  });

  test('Cloud hosts: a suffix match that ignores case, never the bare suffix', () => {
    const suffixes = ['.teleport.sh'];
    assert.equal(isCloudHost('acme.teleport.sh', suffixes), true);
    assert.equal(isCloudHost('Acme.Teleport.SH', suffixes), true);
    assert.equal(isCloudHost('acme.teleport.sh', ['.Teleport.sh']), true);
    assert.equal(isCloudHost('.teleport.sh', suffixes), false);
    assert.equal(isCloudHost('acme.example.com', suffixes), false);
  });
});

describe('profile names', () => {
  const good = ['teleport.example.com', 'Prod.Example.com', 'a_b-c', '::1', 'fe80::1', '10.0.0.1', 'x'.repeat(MAX_PROFILE_LENGTH)];
  const bad = ['', '.', '..', '../x', 'a/b', '.hidden', '-x', 'a..b', 'a b', '*', 'host:notaport', 'x'.repeat(MAX_PROFILE_LENGTH + 1), 'a\0b', 'a\rb'];

  test('one rule: the launcher and Connect My Computer accept and refuse the same names', () => {
    for (const name of good) {
      assert.equal(isProfileName(name), true, name);
      assert.equal(checkProfile(name), name);
    }
    for (const name of bad) {
      assert.equal(isProfileName(name), false, name);
      assert.throws(() => checkProfile(name), /is not a proxy host name/, name);
    }
  });
});

describe('record lines', () => {
  test('the first line as `IFS= read -r` reads it: exact, NUL bytes dropped', () => {
    const cases: [string, string][] = [
      ['13.2.3\n', '13.2.3'],
      ['13.2.3', '13.2.3'],
      ['13.2.3\nother\n', '13.2.3'],
      ['13.2.3 \n', '13.2.3 '],
      ['13.2.3\r\n', '13.2.3\r'],
      ['13.2.3\0\n', '13.2.3'],
      ['1\x003.2.3', '13.2.3'],
      ['\n13.2.3', ''],
      ['', ''],
    ];
    for (const [text, line] of cases) assert.equal(recordLine(text), line, JSON.stringify(text));
  });
});
