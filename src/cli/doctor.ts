/** `teleport-tools doctor [--json]`: one line per check with the fix; exit 1 when any check fails. */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandModule } from 'yargs';
import { runDoctor } from '../doctor/run.js';
import type { Check } from '../doctor/run.js';
import { cliContext, handler, out, printJson } from './common.js';

interface Args {
  json: boolean;
}

const NAME_WIDTH = 17;

function line(c: Check): string {
  return `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(NAME_WIDTH)} ${c.detail}${c.fix ? `. Fix: ${c.fix}` : ''}`;
}

export const doctorCommand: CommandModule<object, Args> = {
  command: 'doctor',
  describe: 'Check this installation (PATH, Node.js, cache, proxy, CAs, network, clock) and print a fix for each problem',
  builder: (y) => y.option('json', { type: 'boolean', default: false, describe: 'Print one JSON document' }),
  handler: handler(async (args) => {
    const { settings, signal } = await cliContext();
    // Where our launchers are even when PATH misses them: beside this command (npm's bin directory) and in the package.
    const started = process.argv[1];
    const hints = [...(started ? [dirname(started)] : []), fileURLToPath(new URL('../../../shims', import.meta.url))];
    const checks = await runDoctor({ settings, binDirHints: hints, signal });
    const ok = checks.every((c) => c.ok);
    if (args.json) printJson({ ok, checks: checks.map((c) => ({ name: c.name, ok: c.ok, detail: c.detail, fix: c.fix ?? null })) });
    else out(checks.map(line).join('\n'));
    if (!ok) process.exitCode = 1;
  }),
};
