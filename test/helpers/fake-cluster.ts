// The state of the fake cluster that the fake tsh/tctl/teleport share (test/fixtures/fake-teleport/
// cluster.js): a JSON file named by FAKE_TELEPORT_CLUSTER. Tests create it, inject faults, and read what
// the programs did to it.
import { readFile, rename, writeFile } from 'node:fs/promises';

export interface FakeRole {
  kind: 'role';
  version: string;
  metadata: { name: string; [k: string]: unknown };
  spec: { allow?: { logins?: string[]; node_labels?: Record<string, string | string[]>; [k: string]: unknown }; [k: string]: unknown };
}

export interface FakeUser {
  roles: string[];
  /** Set for an SSO user: `tctl get user` then shows spec.created_by.connector. */
  connector?: { type: string; id: string };
}

export interface FakeNode {
  kind: 'node';
  version: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: { hostname: string; version: string; pid: number };
}

export interface Faults {
  denyRoleCreate?: boolean;
  denyRoleUpdate?: boolean;
  denyUserUpdate?: boolean;
  denyTokenCreate?: boolean;
  denyNodeDelete?: boolean;
  agentCrashOnStart?: boolean;
  nodeNeverAppears?: boolean;
  ignoreSigterm?: boolean;
  /** `tsh request drop` fails (exit 1). */
  requestDropFails?: boolean;
  /** `tsh request drop` exits 0, prints something unexpected and reissues nothing. */
  requestDropUnchanged?: boolean;
}

export interface FakeClusterState {
  cluster_name: string;
  /** host:port of the proxy (the test HTTPS server, which answers /webapi/ping). */
  proxy: string;
  sessionTtlSeconds?: number;
  users: Record<string, FakeUser>;
  roles: Record<string, FakeRole>;
  tokens: Record<string, { roles: string[]; expires: string }>;
  nodes: Record<string, FakeNode>;
  faults: Faults;
  /** The proxy's certificate is not trusted: tsh and tctl need --insecure, and the agent too. */
  selfSigned?: boolean;
  /** Every ID `tsh request drop` was given, in order. */
  droppedRequests?: string[];
}

const role = (name: string, logins: string[] = []): FakeRole => ({
  kind: 'role',
  version: 'v6',
  metadata: { name },
  spec: { allow: { logins } },
});

/** A cluster with a local user `alice` (access, editor) and an SSO user `sam`. */
export function defaultCluster(proxy: string): FakeClusterState {
  return {
    cluster_name: 'fake.example.com',
    proxy,
    users: {
      alice: { roles: ['access', 'editor'] },
      sam: { roles: ['access'], connector: { type: 'github', id: 'github' } },
    },
    roles: { access: role('access', ['root']), editor: role('editor') },
    tokens: {},
    nodes: {},
    faults: {},
  };
}

export class FakeCluster {
  constructor(readonly file: string) {}

  static async create(file: string, state: FakeClusterState): Promise<FakeCluster> {
    const cluster = new FakeCluster(file);
    await cluster.write(state);
    return cluster;
  }

  async read(): Promise<FakeClusterState> {
    return JSON.parse(await readFile(this.file, 'utf8')) as FakeClusterState;
  }

  async write(state: FakeClusterState): Promise<void> {
    const tmp = `${this.file}.test.tmp`;
    await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
    await rename(tmp, this.file);
  }

  async update(change: (s: FakeClusterState) => void): Promise<FakeClusterState> {
    const state = await this.read();
    change(state);
    await this.write(state);
    return state;
  }

  async setFaults(faults: Faults): Promise<void> {
    await this.update((s) => {
      s.faults = faults;
    });
  }
}
