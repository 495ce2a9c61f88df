// The login check's decisions from tables: what a find answer (or none) leads to, and the compatibility line.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { channelVerdict, incompatibility, loginSteps, wantedVersion } from '../../src/tools/login-decision.js';
import type { LoginSteps } from '../../src/tools/login-decision.js';
import type { FindAnswer } from '../../src/tools/find.js';

const managed = (v: string): FindAnswer => ({ serverVersion: '17.0.1', edition: 'ent', autoUpdate: { toolsAutoUpdate: true, toolsVersion: v } });
const off: FindAnswer = { serverVersion: '17.0.1', edition: 'oss', autoUpdate: { toolsAutoUpdate: false, toolsVersion: '17.0.1' } };
const old: FindAnswer = { serverVersion: '16.4.2', edition: undefined, autoUpdate: undefined };
const preRelease: FindAnswer = { serverVersion: '16.0.0-aa', edition: undefined, autoUpdate: undefined };

describe('the login check: decisions', () => {
  test('the version the cluster asks for', () => {
    assert.equal(wantedVersion(managed('17.0.2'), false), '17.0.2');
    assert.equal(wantedVersion(off, false), undefined);
    assert.equal(wantedVersion(off, true), '17.0.1');
    assert.equal(wantedVersion(old, true), '16.4.2');
    assert.equal(wantedVersion(preRelease, true), undefined);
  });

  test('what follows from the answer, for a Cloud proxy and a self-hosted one', () => {
    const rows: [string, FindAnswer | undefined, boolean, boolean, LoginSteps][] = [
      ['managed: record the cluster version', managed('17.0.2'), false, false, { removeRecord: false, clusterVersion: '17.0.2', cloudStable: false }],
      ['managed, Cloud: the cluster wins over cloud-stable', managed('17.0.2'), true, false, { removeRecord: false, clusterVersion: '17.0.2', cloudStable: false }],
      ['managed updates off: the record goes', off, false, false, { removeRecord: true, clusterVersion: undefined, cloudStable: false }],
      ['managed updates off, Cloud: the record goes, then cloud-stable', off, true, false, { removeRecord: true, clusterVersion: undefined, cloudStable: true }],
      ['no auto_update, follow_cluster_version: its server version', old, false, true, { removeRecord: true, clusterVersion: '16.4.2', cloudStable: false }],
      ['no answer, self-hosted: nothing', undefined, false, true, { removeRecord: false, clusterVersion: undefined, cloudStable: false }],
      ['no answer, Cloud: the record stays, cloud-stable', undefined, true, false, { removeRecord: false, clusterVersion: undefined, cloudStable: true }],
    ];
    for (const [name, answer, cloud, followClusterVersion, steps] of rows) assert.deepEqual(loginSteps(answer, { cloud, followClusterVersion }), steps, name);
  });

  test('the compatibility line: the same major or the one before are fine', () => {
    const v = (major: number, minor = 0, patch = 0) => ({ major, minor, patch });
    const base = { tool: 'tsh', profile: 'p.example.com', serverVersion: '17.1.2', server: v(17, 1, 2) };
    assert.equal(incompatibility({ ...base, version: '17.0.0', ours: v(17) }), undefined);
    assert.equal(incompatibility({ ...base, version: '16.4.0', ours: v(16) }), undefined);
    assert.equal(
      incompatibility({ ...base, version: '18.0.0', ours: v(18) }),
      "tsh v18.0.0 is 1 major version ahead of the cluster p.example.com (Teleport v17.1.2), which supports clients of v17 and v16: use a matching version with TELEPORT_TOOLS_VERSION=17.1.2, or ask the cluster's admins to enable managed updates ('tctl autoupdate client-tools enable')",
    );
    assert.match(incompatibility({ ...base, version: '19.0.0', ours: v(19) }) ?? '', /is 2 major versions ahead of/);
    assert.match(incompatibility({ ...base, tool: 'tctl', version: '15.0.0', ours: v(15) }) ?? '', /^tctl v15\.0\.0 is 2 major versions behind the cluster/);
  });

  test('the cloud channel is adopted unless more than one major behind what the cluster is known to run', () => {
    const rows: [string, string | undefined, { adopt: boolean; behind: number }][] = [
      ['14.4.1', '18.10.0', { adopt: false, behind: 4 }],
      ['16.4.0', '18.0.1', { adopt: false, behind: 2 }],
      ['17.9.9', '18.0.1', { adopt: true, behind: 1 }],
      ['18.0.1', '18.0.1', { adopt: true, behind: 0 }],
      ['19.0.0', '18.0.1', { adopt: true, behind: -1 }],
      ['14.4.1', '16.0.0-aa', { adopt: false, behind: 2 }],
      ['14.4.1', undefined, { adopt: true, behind: 0 }],
      ['14.4.1', 'garbage', { adopt: true, behind: 0 }],
    ];
    for (const [offered, cluster, verdict] of rows) assert.deepEqual(channelVerdict(offered, cluster), verdict, `${offered} vs ${cluster}`);
  });
});
