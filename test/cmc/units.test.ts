// The pure parts of Connect My Computer: compatibility rules, the config edit, log handling, names.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { checkCompatibility } from '../../src/cmc/compat.js';
import { withDebugServiceOff } from '../../src/cmc/config-file.js';
import { requireSupportedOs } from '../../src/cmc/context.js';
import { anonymize } from '../../src/cmc/events.js';
import { explainCertificateError, isCertificateError, resolveInsecure } from '../../src/cmc/insecure.js';
import { LastLines, RotatingLog, tailFile } from '../../src/cmc/logs.js';
import { agentArgs } from '../../src/cmc/process.js';
import { agentPaths, checkProfile } from '../../src/cmc/paths.js';

describe('checkCompatibility', () => {
  const cases: [string, string, string, boolean][] = [
    ['13.2.3', '13.2.3', 'compatible', true],
    ['13.2.3', '13.0.0', 'compatible', true],
    ['13.0.0', '13.2.3', 'upgrade-recommended', true],
    ['13.2.3', '14.0.0', 'upgrade-recommended', true],
    ['13.2.3', '15.0.0', 'too-old', false],
    ['12.4.0', '16.1.0', 'too-old', false],
    ['14.0.0', '13.9.9', 'too-new', false],
  ];
  for (const [agent, cluster, status, runs] of cases) {
    test(`agent v${agent}, cluster v${cluster}: ${status}`, () => {
      const report = checkCompatibility(agent, cluster);
      assert.equal(report.status, status);
      assert.equal(report.runs, runs);
      if (status === 'compatible') assert.equal(report.message, '');
      else assert.match(report.message, new RegExp(`teleport-tools update --version ${cluster.replaceAll('.', '\\.')}\\)$`));
    });
  }
});

describe('withDebugServiceOff', () => {
  test('adds debug_service and keeps the rest as written (quotes and comments included)', () => {
    const input = '# made by teleport\nversion: v3\nauth_service:\n  enabled: "no"\nssh_service:\n  enabled: "yes"\n';
    assert.equal(withDebugServiceOff(input), `${input}debug_service:\n  enabled: false\n`);
  });
  test('never folds a long value onto a second line', () => {
    const input = `teleport:\n  data_dir: /home/someone/.config/Teleport Connect/agents/${'long-proxy-name.'.repeat(8)}example.com/data\n`;
    assert.equal(withDebugServiceOff(input), `${input}debug_service:\n  enabled: false\n`);
  });
  test('replaces a debug_service the config already has', () => {
    assert.equal(withDebugServiceOff('version: v3\ndebug_service:\n  enabled: true\n'), 'version: v3\ndebug_service:\n  enabled: false\n');
  });
  test('refuses output that is not a YAML mapping', () => {
    assert.throws(() => withDebugServiceOff(''), /not a YAML config/);
    assert.throws(() => withDebugServiceOff('a: [\n'), /not a YAML config/);
  });
});

describe('agent logs', () => {
  test('LastLines keeps the last n lines across chunk boundaries', () => {
    const last = new LastLines(3);
    last.push('one\ntw');
    last.push('o\nthree\n\nfour\nfi');
    assert.deepEqual(last.get(), ['three', 'four', 'fi']);
  });
  test('RotatingLog rotates by size and keeps three old files', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'tt-log-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'agent.log');
    const log = new RotatingLog(file, 100, 3);
    for (let i = 0; i < 12; i++) log.write(`${String(i).padStart(2, '0')} ${'x'.repeat(46)}\n`);
    log.close();
    assert.deepEqual((await readdir(dir)).sort(), ['agent.log', 'agent.log.1', 'agent.log.2', 'agent.log.3']);
    assert.match(await readFile(file, 'utf8'), /^10 x+\n11 x+\n$/);
    assert.match(await readFile(`${file}.3`, 'utf8'), /^04 /);
    assert.deepEqual((await tailFile(file, 1)).map((l) => l.slice(0, 2)), ['11']);
  });
});

describe('names', () => {
  test('a profile must be a host name before it becomes a directory', () => {
    assert.equal(checkProfile('teleport.example.com'), 'teleport.example.com');
    for (const bad of ['', '..', '../x', 'a/b', '.hidden', 'a b']) assert.throws(() => checkProfile(bad), /not a proxy host name/, bad);
    assert.equal(agentPaths({ userData: '/u', cache: '/c' }, 'p.example.com').config, '/u/agents/p.example.com/config.yaml');
  });
  test('Windows is refused with a reason', () => {
    assert.throws(() => requireSupportedOs('win32'), /not available on Windows: Teleport has no SSH agent for Windows/);
    assert.doesNotThrow(() => requireSupportedOs('linux'));
    assert.doesNotThrow(() => requireSupportedOs('darwin'));
  });
  test('anonymize is HMAC-SHA256 under the key: stable per key, different across keys', () => {
    const a = Buffer.alloc(32, 1);
    const b = Buffer.alloc(32, 2);
    assert.equal(anonymize(a, 'alice'), anonymize(a, 'alice'));
    assert.notEqual(anonymize(a, 'alice'), anonymize(b, 'alice'));
    assert.match(anonymize(a, 'alice'), /^[0-9a-f]{64}$/);
  });
  test('--insecure: the flag wins over what the profile remembers; certificate errors are recognised and name the flag', () => {
    assert.equal(resolveInsecure(undefined, { insecure: true }), true);
    assert.equal(resolveInsecure(false, { insecure: true }), false);
    assert.equal(resolveInsecure(true, {}), true);
    assert.equal(resolveInsecure(undefined, {}), false);
    const node = Object.assign(new Error('fetch failed'), { cause: Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }) });
    const go = new Error('tctl get user/alice: Get "https://p:3080/webapi/find": tls: failed to verify certificate: x509: certificate signed by unknown authority');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    assert.equal(isCertificateError(node), true);
    assert.equal(isCertificateError(go), true);
    assert.equal(isCertificateError(refused), false);
    assert.match(String((explainCertificateError(go, 'x', false) as Error).message), /^x: the proxy's certificate is not trusted .* run the command again with --insecure$/);
    assert.equal(explainCertificateError(go, 'x', true), go, 'with --insecure, left as it is');
    assert.equal(explainCertificateError(refused, 'x', false), refused);
    assert.deepEqual(agentArgs(agentPaths({ userData: '/u', cache: '/c' }, 'p'), true), ['start', '--insecure', '--config=/u/agents/p/config.yaml']);
    assert.deepEqual(agentArgs(agentPaths({ userData: '/u', cache: '/c' }, 'p'), false), ['start', '--config=/u/agents/p/config.yaml']);
  });
});
