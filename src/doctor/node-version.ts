/**
 * The Node.js the launchers use: shims/tsh runs the first `node` on PATH for installs and updates, which
 * is not always the one running this command (nvm in an interactive shell, an old distro package in
 * cron or an IDE). The fast path needs no Node.js, so a missing or broken one only hurts when something
 * must change. It is asked for its version the way the launchers start it, with the user's NODE_OPTIONS,
 * and judged by the same runtime gate.
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { NODE_FIX, readPackage, runtimeProblem } from '../runtime-gate.js';
import type { Check } from './check.js';
import { failed, passed } from './check.js';

const NAME = 'node';

async function firstOnPath(name: string, pathVar: string): Promise<string | undefined> {
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    if (await access(file, constants.X_OK).then(() => true, () => false)) return file;
  }
  return undefined;
}

/** What `node` says process.versions.node is; rejects with its first line of complaint. */
function nodeVersion(file: string, nodeOptions: string | undefined): Promise<string> {
  const env = nodeOptions ? { NODE_OPTIONS: nodeOptions } : {};
  return new Promise((resolve, reject) => {
    execFile(file, ['-e', 'process.stdout.write(String(process.versions.node))'], { timeout: 10_000, env }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout.trim());
      const said = stderr.split('\n').map((l) => l.trim()).find((l) => /error|bad option|not allowed|cannot/i.test(l)) ?? err.message.split('\n')[0] ?? '';
      reject(new Error(said.slice(0, 160)));
    });
  });
}

export async function checkNode(pathVar: string | undefined, nodeOptions?: string): Promise<Check> {
  const { floor } = await readPackage();
  const node = await firstOnPath('node', pathVar ?? '');
  if (!node) {
    return failed(NAME, `no node on PATH: tsh and tctl run an installed version but cannot install or update one (that needs Node.js ${floor} or later)`, NODE_FIX.replace('a newer one', `Node.js ${floor} or later`));
  }
  let printed: string;
  try {
    printed = await nodeVersion(node, nodeOptions);
  } catch (err) {
    const detail = `${node} fails to start (${(err as Error).message}), so tsh and tctl cannot install or update`;
    return failed(NAME, detail, nodeOptions ? `fix or unset NODE_OPTIONS (${JSON.stringify(nodeOptions.slice(0, 80))}); or ${NODE_FIX}` : NODE_FIX);
  }
  const problem = runtimeProblem(printed, node, floor);
  if (problem) return failed(NAME, problem, NODE_FIX);
  return passed(NAME, `${node} is Node.js v${printed} (the launchers use it to install updates)`);
}
