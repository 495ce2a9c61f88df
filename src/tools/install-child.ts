/**
 * The install child (install-process.ts): `node <INSTALL_NODE_FLAGS> install-child.js <request JSON>`.
 * Runs installTools in this process, with the same environment, settings and voice as the launcher
 * that started it, and answers with one JSON line on stdout.
 */
import { isToolsError } from '../errors.js';
import { loadSettings } from '../settings.js';
import { armCheckpoint } from '../checkpoint.js';
import { createReporter } from '../ui/reporter.js';
import { stderrIsTTY, stderrSink } from '../ui/stderr.js';
import { createToolsContext } from './context.js';
import { installTools } from './update.js';
import type { ChildAnswer, ChildRequest } from './install-process.js';

async function main(raw: string | undefined): Promise<ChildAnswer> {
  const request = JSON.parse(raw ?? '') as ChildRequest;
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort());
  const settings = await loadSettings({ env: process.env, stderrIsTTY: stderrIsTTY() });
  // A crash test kills "the launcher" at a checkpoint: that is this process and the one that started it.
  armCheckpoint(settings.crashAt, process.ppid);
  const reporter = createReporter(stderrSink, settings.interactive);
  // The launcher already decided that this install may use the network.
  const ctx = createToolsContext(settings, reporter, { signal: controller.signal, requested: true });
  try {
    const result = await installTools(ctx, request.version, request.opts);
    return { ok: true, downloaded: result.downloaded };
  } catch (err) {
    if (isToolsError(err)) return { ok: false, code: err.code, message: err.message };
    throw err;
  } finally {
    await ctx.close();
  }
}

const answer = await main(process.argv[2]).catch((err: unknown): ChildAnswer => {
  process.stderr.write(`teleport-tools: unexpected error while installing (please report it):\n${err instanceof Error ? err.stack : String(err)}\n`);
  return { ok: false, code: 'EINSTALL', message: 'the install process failed unexpectedly' };
});
process.stdout.write(`${JSON.stringify(answer)}\n`, () => process.exit(0));
