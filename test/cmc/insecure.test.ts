// A cluster whose proxy has a self-signed certificate (real TLS from a CA this computer does not
// trust), and the certificate refresh after setup adds the role (`tsh request drop`, no new login).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CmcSandbox } from './support.js';
import { assertNothingLeft, cmcStatus, cmdline, fixture, interrupt, profileState, share, tree } from './support.js';

const ROLE = 'connect-my-computer-alice';
const NOTICE = /^teleport-tools: warning: certificate checks are off for 127\.0\.0\.1 \(--insecure\): .*a changed one included, is accepted$/m;

/** The roles `tsh status` shows for the sandbox's login (the certificate's). */
async function certificateRoles(sb: CmcSandbox): Promise<string[]> {
  const r = await sb.tool('tsh', ['status', '--format=json']);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { active: { roles: string[] } }).active.roles;
}

// One suite, so that all four run side by side.
describe('cmc --insecure, and the certificate refresh', { concurrency: true }, () => {
  test('a self-signed proxy: refused naming --insecure; setup --insecure is remembered by start, status and remove; a changed certificate is accepted', async (t) => {
    const { sb, proxy } = await fixture(t, { selfSigned: true });
    assert.ok(proxy);

    const refused = await sb.cmc(['setup']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^teleport-tools: cannot ask 127\.0\.0\.1:\d+ for the cluster's version: the proxy's certificate is not trusted by this computer \(.+\)\. If the cluster uses a self-signed certificate \(tsh login --insecure\), run the command again with --insecure$/m);
    assert.equal(refused.stderr.trim().split('\n').length, 1, 'one line');
    assert.deepEqual(await tree(sb.userData), [], 'nothing changed');
    assert.equal((await sb.cluster.read()).roles[ROLE], undefined);

    const setup = await sb.cmc(['setup', '--insecure']);
    assert.equal(setup.code, 0, setup.stderr);
    assert.match(setup.stderr, NOTICE);
    assert.match(setup.stdout, /Setup complete/);
    assert.equal(proxy.pings, 1, 'the ping skipped certificate checks');
    assert.equal((await profileState(sb))?.insecure, true, 'remembered for the profile');
    const status = await cmcStatus(sb);
    assert.equal(status.insecure, true);
    assert.equal(status.compatibility.clusterVersion, '13.2.3', 'status pings the proxy without checks too');
    const text = await sb.cmc(['status']);
    assert.match(text.stdout, /^Certificates: {5}not verified \(set up with --insecure\)$/m);

    // The proxy's certificate changes (here to one this computer trusts): with checks off, any is accepted.
    proxy.present('test');
    const { run, agentPid } = await share(sb);
    assert.equal(run.stderr.match(new RegExp(NOTICE.source, 'gm'))?.length, 1, 'start says so on one line');
    assert.deepEqual(cmdline(agentPid).slice(-2), ['--insecure', `--config=${sb.agentDir}/config.yaml`], 'teleport start --insecure --config=…');
    await interrupt(run);

    const removed = await sb.cmc(['remove']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /Deleted node \S+ from the cluster\./, 'tctl rm got --insecure');
    assert.deepEqual((await sb.cluster.read()).nodes, {});
    await assertNothingLeft(sb);
  });

  test('tsh request drop of an ID that matches no request: the certificate has the role, no new login', async (t) => {
    const { sb } = await fixture(t);
    assert.ok(!(await certificateRoles(sb)).includes(ROLE));
    const r = await sb.cmc(['setup']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /added it to user alice; refreshed your certificate without a new login \(tsh request drop\)/);
    assert.doesNotMatch(r.stdout, /tsh login/);
    const dropped = (await sb.cluster.read()).droppedRequests ?? [];
    assert.equal(dropped.length, 1);
    assert.match(dropped[0] ?? '', /^bogus-request-id-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.ok((await certificateRoles(sb)).includes(ROLE));
  });

  for (const c of [
    { fault: 'requestDropFails', why: /tsh request drop could not reissue your certificate: tsh request drop bogus-request-id-\S+: failed to reissue user certificates: access denied/ },
    { fault: 'requestDropUnchanged', why: /after tsh request drop \(which printed "Nothing to do here \(injected requestDropUnchanged\)"\) your certificate still lacks role connect-my-computer-alice/ },
  ] as const) {
    test(`${c.fault}: setup completes, says why and asks for tsh login; the next setup tries again`, async (t) => {
      const { sb, world } = await fixture(t, { cluster: (s) => (s.faults[c.fault] = true) });
      const r = await sb.cmc(['setup']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Setup complete/);
      const line = r.stdout.split('\n').find((l) => l.startsWith(`Role ${ROLE} is not in your certificate yet: `)) ?? '';
      assert.match(line, c.why);
      assert.match(line, new RegExp(`Log in again \\(tsh login --proxy=${world.proxy}\\) so that it is`));
      assert.doesNotMatch(r.stdout, /refreshed your certificate/);
      assert.ok((await sb.cluster.read()).users.alice?.roles.includes(ROLE), 'the role stays added to the user');

      await sb.cluster.setFaults({});
      const again = await sb.cmc(['setup']);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /user alice has it; refreshed your certificate without a new login/);
      assert.ok((await certificateRoles(sb)).includes(ROLE));
    });
  }
});
