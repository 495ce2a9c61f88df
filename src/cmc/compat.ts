/**
 * Agent/cluster version compatibility (RFD 0133): an agent of the cluster's major version or one
 * major behind may run; two or more behind, or any major ahead, may not. One behind (or older within
 * the same major) runs with a suggestion to upgrade. The cluster's version is `server_version` from
 * `https://<proxy>/webapi/ping`.
 */
import { ToolsError } from '../errors.js';
import type { HttpClient } from '../http.js';
import { explainCertificateError } from './insecure.js';
import { compareVersions, isPlainVersion, majorOf } from '../version.js';

export type Compatibility = 'compatible' | 'upgrade-recommended' | 'too-old' | 'too-new';

export interface CompatReport {
  status: Compatibility;
  agentVersion: string;
  clusterVersion: string;
  /** May the agent start? */
  runs: boolean;
  /** What to tell the user; empty when there is nothing to say. */
  message: string;
}

const HOW = 'choose the client-tools version with: teleport-tools update --version';

export function checkCompatibility(agentVersion: string, clusterVersion: string): CompatReport {
  const agent = majorOf(agentVersion);
  const cluster = majorOf(clusterVersion);
  const base = { agentVersion, clusterVersion };
  if (agent > cluster) {
    return {
      ...base,
      status: 'too-new',
      runs: false,
      message: `the agent (v${agentVersion}) is newer than the cluster (v${clusterVersion}), which it cannot join: downgrade to v${cluster}.x, the cluster's version (${HOW} ${clusterVersion})`,
    };
  }
  if (agent <= cluster - 2) {
    return {
      ...base,
      status: 'too-old',
      runs: false,
      message: `the agent (v${agentVersion}) is too old for the cluster (v${clusterVersion}), which supports agents from v${cluster - 1}.0.0: upgrade to v${clusterVersion} (${HOW} ${clusterVersion})`,
    };
  }
  if (compareVersions(agentVersion, clusterVersion) < 0) {
    return {
      ...base,
      status: 'upgrade-recommended',
      runs: true,
      message: `the agent (v${agentVersion}) is older than the cluster (v${clusterVersion}); it works, but upgrading to v${clusterVersion} is recommended (${HOW} ${clusterVersion})`,
    };
  }
  return { ...base, status: 'compatible', runs: true, message: '' };
}

/** `server_version` from the proxy's unauthenticated ping endpoint (`insecure`: no certificate check). */
export async function fetchClusterVersion(http: HttpClient, proxyAddr: string, signal?: AbortSignal, timeoutMs = 10_000, insecure = false): Promise<string> {
  const url = `https://${proxyAddr}/webapi/ping`;
  const body = await http.getText(url, { maxBytes: 256 * 1024, timeoutMs, signal, insecure }).catch((err: unknown) => {
    throw explainCertificateError(err, `cannot ask ${proxyAddr} for the cluster's version`, insecure);
  });
  let version: unknown;
  try {
    version = (JSON.parse(body) as { server_version?: unknown }).server_version;
  } catch {
    throw new ToolsError('ECMC', `${url} did not answer JSON`);
  }
  const bare = typeof version === 'string' ? version.replace(/^v/, '') : '';
  // Pre-release and build suffixes (13.2.0-dev) do not change the major version.
  const core = /^\d+\.\d+\.\d+/.exec(bare)?.[0];
  if (!core || !isPlainVersion(core)) throw new ToolsError('ECMC', `${url} answered no usable server_version (${JSON.stringify(version)})`);
  return core;
}

/** Throws the report's message when the agent may not run. */
export function requireRunnable(report: CompatReport): void {
  if (!report.runs) throw new ToolsError('ECMC', `cannot start the agent: ${report.message}`);
}

/** Before any agent starts: asks the cluster its version, refuses an incompatible agent, warns when advised. */
export async function requireCompatibleCluster(
  http: HttpClient,
  proxyAddr: string,
  agentVersion: string,
  warn: (line: string) => void,
  signal?: AbortSignal,
  insecure = false,
): Promise<CompatReport> {
  const report = checkCompatibility(agentVersion, await fetchClusterVersion(http, proxyAddr, signal, 10_000, insecure));
  requireRunnable(report);
  if (report.message) warn(report.message);
  return report;
}
