// The sh launchers shims/tsh and shims/tctl come from one template, shims/launcher.sh.in. Both are
// checked in (npm's bin entries and a fresh clone run them without a build, and the package ships the
// text reviewers read); test/launcher/shim-source.test.ts fails when either differs from this output.
//
//   npm run shims                     write shims/tsh and shims/tctl
//   npm run shims -- --check          exit 1, naming the file, when a checked-in launcher is stale
//   npm run shims -- --out-dir <dir>  write <dir>/tsh and <dir>/tctl instead
//
// Template: `@tool@` is the tool's name; lines `#@if <tool>`, `#@else` and `#@end` keep the lines
// between them for that tool only (no nesting) and are dropped themselves.
import { readFileSync } from 'node:fs';
import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const SHIM_TOOLS = ['tsh', 'tctl'] as const;
export type ShimTool = (typeof SHIM_TOOLS)[number];

/** The repository's shims/ directory (this file runs from dist/scripts). */
export const SHIMS_DIR = fileURLToPath(new URL('../../shims/', import.meta.url));
export const TEMPLATE = join(SHIMS_DIR, 'launcher.sh.in');

/** The launcher for `tool` from the template's text. Throws on a malformed template. */
export function renderShim(tool: ShimTool, template: string = readFileSync(TEMPLATE, 'utf8')): string {
  const out: string[] = [];
  // undefined: outside any block; else whether the current block's lines are kept.
  let keep: boolean | undefined;
  let inElse = false;
  template.split('\n').forEach((line, i) => {
    const where = `${TEMPLATE}:${i + 1}`;
    const directive = /^#@(\S+)\s*(.*)$/.exec(line);
    if (!directive) {
      if (keep !== false) out.push(line.replaceAll('@tool@', tool));
      return;
    }
    const [, word, arg] = directive;
    if (word === 'if' && keep === undefined && (SHIM_TOOLS as readonly string[]).includes(arg ?? '')) {
      keep = arg === tool;
      inElse = false;
    } else if (word === 'else' && keep !== undefined && !inElse) {
      keep = !keep;
      inElse = true;
    } else if (word === 'end' && keep !== undefined) {
      keep = undefined;
    } else {
      throw new Error(`${where}: unexpected ${line.trim()}`);
    }
  });
  if (keep !== undefined) throw new Error(`${TEMPLATE}: #@if without #@end`);
  const text = out.join('\n');
  if (/@[a-z]+@/.test(text)) throw new Error(`${TEMPLATE}: unknown placeholder ${/@[a-z]+@/.exec(text)?.[0]}`);
  return text;
}

/**
 * Writes `text` to `file` as an executable launcher, replacing what is there in one rename (a shell
 * running the old file keeps reading the old file).
 */
export async function writeShim(file: string, text: string): Promise<void> {
  const tmp = join(dirname(file), `.${process.pid}.shim.tmp`);
  try {
    await writeFile(tmp, text, { flag: 'wx', mode: 0o755 });
    await chmod(tmp, 0o755);
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
}

/** The launchers in `dir` that differ from the template's output (all of them when `dir` has none). */
export async function staleShims(dir: string = SHIMS_DIR): Promise<string[]> {
  const stale: string[] = [];
  for (const tool of SHIM_TOOLS) {
    const file = join(dir, tool);
    const current = await readFile(file, 'utf8').catch(() => undefined);
    if (current !== renderShim(tool)) stale.push(file);
  }
  return stale;
}

async function main(argv: string[]): Promise<number> {
  let values: { check?: boolean; 'out-dir'?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { check: { type: 'boolean' }, 'out-dir': { type: 'string' } } }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\nusage: npm run shims -- [--check] [--out-dir <dir>]\n`);
    return 2;
  }
  const dir = values['out-dir'] ?? SHIMS_DIR;
  if (values.check) {
    const stale = await staleShims(dir);
    for (const file of stale) process.stderr.write(`${file} differs from ${TEMPLATE}: run npm run shims\n`);
    return stale.length === 0 ? 0 : 1;
  }
  for (const tool of SHIM_TOOLS) await writeShim(join(dir, tool), renderShim(tool));
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
