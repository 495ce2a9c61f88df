/**
 * The shims' own rules, run by a real shell: the part of shims/tsh and shims/tctl from `home=` through
 * the plain-version filter (the arguments, the call's profile, the version records), lifted
 * out of the files as they are and wrapped in a function that prints what it decided. One long-lived
 * shell reads case after case on its standard input (a process per case would be far too slow).
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';

export type Shell = 'dash' | 'bash';
export type ShimTool = 'tsh' | 'tctl';

/** What the shim decided: a slow path forced by `login`/`logout`, the call's profile, the version. */
export interface ShimDecision {
  slow: boolean;
  profile: string;
  version: string;
}

export interface ShimCase {
  tool: ShimTool;
  home: string;
  args: readonly string[];
  /** Variables set for the case; absent ones are unset. */
  env: { TELEPORT_PROXY?: string | undefined; TELEPORT_TOOLS_VERSION?: string | undefined };
}

const SHIMS = new URL('../../../shims/', import.meta.url);

/**
 * The shim's decision code: from after the `home=...` assignment (and the `case $home` block that
 * makes it absolute) through the `case` that keeps only a plain X.Y.Z in `v`.
 */
export function decisionCode(tool: ShimTool): string {
  const lines = readFileSync(new URL(tool, SHIMS), 'utf8').split('\n');
  let start = lines.findIndex((l) => l.startsWith('home='));
  if (lines[start + 1]?.startsWith('case $home in')) start = lines.indexOf('esac', start);
  const filter = lines.findIndex((l, i) => i > start && l.startsWith('case $v in') && /plain X\.Y\.Z/.test(lines[i - 1] ?? ''));
  const end = lines.indexOf('esac', filter);
  if (start < 0 || filter < 0 || end < 0) throw new Error(`shims/${tool}: cannot find the lines from home= through the plain-version filter`);
  return lines.slice(start + 1, end + 1).join('\n');
}

/** Single-quoted for sh; `'` closes, escapes and reopens. */
export const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function prelude(): string {
  // With a pinned version the shim never computes a profile: p is then whatever the loop left.
  const fn = (tool: ShimTool) =>
    `${tool}_case() {\nhome=$1\nshift\nslow= p=\n${decisionCode(tool)}\n` +
    `case \${TELEPORT_TOOLS_VERSION-} in off | '') ;; *) p= ;; esac\nprintf 'R<%s|%s|%s>\\n' "$slow" "$p" "$v"\n}\n`;
  return fn('tsh') + fn('tctl');
}

export class ShellRules {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffered = '';
  private waiting: { resolve(d: ShimDecision): void; reject(e: Error): void } | undefined;
  private dead: Error | undefined;

  constructor(readonly shell: Shell) {
    const code = prelude();
    this.child = spawn(shell, ['-s'], { env: { PATH: process.env.PATH, LC_ALL: 'C.UTF-8' } });
    this.child.stdout.setEncoding('latin1');
    this.child.stdout.on('data', (text: string) => this.onOutput(text));
    this.child.stderr.resume();
    this.child.on('exit', (code, signal) => this.onDeath(new Error(`${shell} exited (${code ?? signal}) while running the shim's rules`)));
    this.child.on('error', (err) => this.onDeath(err));
    this.child.stdin.write(code);
    this.idle();
  }

  /**
   * Between cases the shell keeps nothing alive: a fuzzing process ends when its budget does, without
   * being told about the shells. While a case runs, its output pipe holds the event loop.
   */
  private idle(): void {
    this.child.unref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as Socket).unref();
  }

  private onOutput(text: string): void {
    this.buffered += text;
    const m = /R<([^|]*)\|([^|]*)\|([^>]*)>\n/.exec(this.buffered);
    if (!m) return;
    this.buffered = this.buffered.slice(m.index + m[0].length);
    const w = this.waiting;
    this.waiting = undefined;
    this.idle();
    w?.resolve({ slow: m[1] === '1', profile: m[2] as string, version: m[3] as string });
  }

  private onDeath(err: Error): void {
    this.dead ??= err;
    this.waiting?.reject(err);
    this.waiting = undefined;
  }

  /** Runs one case; cases run one at a time. */
  decide(c: ShimCase): Promise<ShimDecision> {
    if (this.dead) return Promise.reject(this.dead);
    const vars = (['TELEPORT_PROXY', 'TELEPORT_TOOLS_VERSION'] as const)
      .map((name) => (c.env[name] === undefined ? `unset ${name}` : `${name}=${quote(c.env[name])}; export ${name}`))
      .join('; ');
    const line = `${vars}; ${c.tool}_case ${[c.home, ...c.args].map(quote).join(' ')}\n`;
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      (this.child.stdout as Socket).ref();
      this.child.stdin.write(Buffer.from(line, 'utf8'));
    });
  }

  close(): void {
    this.child.stdin.end();
  }
}
