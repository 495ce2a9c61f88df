/**
 * Step 3, "Generating the config file": a fresh 5 minute node token, then `teleport node configure`
 * writes the agent's config, to which we add `debug_service: {enabled: false}` (its socket path under
 * the agent directory can exceed the OS limit on socket path length). Other local users can read
 * every command line, so the token goes in a 0600 file in the 0700 agent directory and `--token`
 * names that file, which the agent reads until it has joined (docs/behaviour.md item 27). The config
 * is 0600 too, and an old one is removed before the new one is written.
 */
import { chmod, mkdir, rm } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { ToolsError } from '../errors.js';
import { writeFileAtomic } from '../write-file-atomic.js';
import type { Env } from '../settings.js';
import { errorText, execCommand } from './exec.js';
import type { AgentPaths } from './paths.js';
import { OWNER_LABEL } from './paths.js';

/** The agent directory and its data/ and logs/, private to this user. */
export async function makeAgentDirs(paths: AgentPaths): Promise<void> {
  for (const dir of [paths.dir, paths.data, paths.logs]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
  }
}

export interface ConfigRequest {
  binary: string;
  env: Env;
  paths: AgentPaths;
  proxyAddr: string;
  /** Written to `paths.token`; only that file's path is passed on. */
  token: string;
  clusterUser: string;
  signal?: AbortSignal | undefined;
}

export function configureArgs(req: ConfigRequest): string[] {
  return [
    'node',
    'configure',
    '--output=stdout',
    `--data-dir=${req.paths.data}`,
    `--proxy=${req.proxyAddr}`,
    `--token=${req.paths.token}`,
    `--labels=${OWNER_LABEL}=${req.clusterUser}`,
  ];
}

/** The configure output with the debug service turned off, formatting and comments kept. */
export function withDebugServiceOff(yamlText: string): string {
  const doc = parseDocument(yamlText);
  if (doc.errors.length > 0 || typeof doc.toJS() !== 'object' || doc.toJS() === null) {
    throw new ToolsError('ECMC', `teleport node configure printed something that is not a YAML config: ${doc.errors[0]?.message ?? 'empty output'}`);
  }
  doc.set('debug_service', doc.createNode({ enabled: false }));
  // No folding: a long data_dir or token stays on its line, as teleport printed it.
  return doc.toString({ lineWidth: 0 });
}

export async function writeAgentConfig(req: ConfigRequest): Promise<void> {
  await makeAgentDirs(req.paths);
  await rm(req.paths.config, { force: true });
  await writeFileAtomic(req.paths.token, req.token, { mode: 0o600 });
  const result = await execCommand(req.binary, configureArgs(req), { env: req.env, signal: req.signal, timeoutMs: 30_000 });
  if (result.code !== 0) throw new ToolsError('ECMC', `teleport node configure failed: ${errorText(result)}`);
  const text = withDebugServiceOff(result.stdout);
  await writeFileAtomic(req.paths.config, text, { mode: 0o600 });
}
