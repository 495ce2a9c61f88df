/**
 * What `teleport-tools` can still say on a Node.js below the floor, where yargs and the commands cannot
 * load: `--version`, a short `--help`, and a `doctor` whose Node.js line says what is wrong and how to
 * fix it. Every other command exits 1 with the gate's line. Like the gate, this file runs on Node.js 12+
 * (ES2019, imports only runtime-gate.js, which imports nothing).
 */
import { NODE_FIX, refusalLine } from '../runtime-gate.js';
import type { PackageFacts } from '../runtime-gate.js';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

const COMMANDS: ReadonlyArray<readonly [string, string]> = [
  ['status', 'Show the selected version, installed versions, and update settings'],
  ['update', 'Install the cloud-stable (or a given) version now'],
  ['config', 'Read and change tools.yaml'],
  ['clean', 'Remove installed versions that are no longer needed'],
  ['doctor', 'Check this installation and print a fix for each problem'],
  ['completion', 'Print a bash/zsh completion script'],
  ['cmc', 'Connect My Computer: share this computer with your cluster'],
];

function help(pkg: PackageFacts): string {
  const rows = COMMANDS.map(([name, what]) => `  teleport-tools ${name.padEnd(11)} ${what}`);
  return [
    'teleport-tools <command>',
    '',
    "Keeps Teleport's tsh and tctl up to date, and shares this computer with your cluster.",
    '',
    'Commands:',
    ...rows,
    '',
    `These commands need Node.js ${pkg.floor} or later. With an older one, tsh and tctl still run the`,
    'version already installed, without updates.',
    '',
  ].join('\n');
}

/** Answers `args` (process.argv after the script) on an unsupported runtime; returns the exit code. */
export function answerOnOldRuntime(args: readonly string[], problem: string, pkg: PackageFacts, io: Output): number {
  const line = `${refusalLine(problem)}\n`;
  if (args.indexOf('--help') >= 0 || args.indexOf('-h') >= 0) {
    io.out(help(pkg));
    io.err(line);
    return 0;
  }
  // `--version` of the program, not `update --version X.Y.Z`.
  if (args.indexOf('--version') >= 0 && args.every((a) => a.charAt(0) === '-')) {
    io.out(`${pkg.version}\n`);
    return 0;
  }
  if (args[0] === 'doctor') {
    // The one check that can run here, in the doctor's own format; it is the one that fails.
    if (args.indexOf('--json') >= 0) {
      io.out(`${JSON.stringify({ ok: false, checks: [{ name: 'node', ok: false, detail: problem, fix: NODE_FIX }] }, null, 2)}\n`);
    } else {
      io.out(`FAIL  ${'node'.padEnd(17)} ${problem}. Fix: ${NODE_FIX}\n`);
    }
    return 1;
  }
  io.err(line);
  return 1;
}
