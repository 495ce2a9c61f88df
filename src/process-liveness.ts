/**
 * Is a PID still the process we recorded? A PID alone is reused by the system, so a process is
 * recorded with its proof: its start time and its command line. Linux reads both from
 * /proc/<pid>/{stat,cmdline} (start time: field 22 of stat); macOS has no /proc and asks
 * `ps -o stat=,lstart=,args=` once (lstart is printed in a fixed locale and time zone, so two runs
 * read the same text). A zombie (exited, not yet reaped) counts as gone. Used by the cache lock's
 * holder check and by Connect My Computer, which signals a process only when its proof still holds
 * (docs/behaviour.md items 17 and 27).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ProcessProof {
  /** Opaque start time (Linux: clock ticks after boot; macOS: `ps` lstart). */
  start: string;
  /**
   * The command line as the OS shows it (Linux: NUL-separated; macOS: joined by spaces), or a part of
   * it that the process must show (a program started through `env` or a wrapper shows another command
   * line until it has exec'd).
   */
  command: string;
}

/** What the OS says about a PID now: its proof, `gone` (no process, or a zombie), or `unknown`. */
export type Observed = ProcessProof | 'gone' | 'unknown';

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

function fromProc(pid: number): Observed {
  let stat: string;
  let command: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch (err) {
    return errno(err) === 'ENOENT' || errno(err) === 'ESRCH' ? 'gone' : 'unknown';
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return 'gone';
  const start = fields[19];
  return start ? { start, command } : 'unknown';
}

/** `<stat> <Www Mmm dd hh:mm:ss yyyy> <args>`, one line, as `ps` prints it with empty headers. */
const PS_LINE = /^\s*(\S+)\s+([A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4})(?: (.*))?$/;

/** Parses one line of `ps -ww -o stat= -o lstart= -o args=`. */
export function parsePsProof(line: string): Observed {
  const m = PS_LINE.exec(line.replace(/\n$/, ''));
  if (!m?.[1] || !m[2]) return 'unknown';
  if (m[1].startsWith('Z')) return 'gone';
  return { start: m[2], command: m[3] ?? '' };
}

function fromPs(pid: number): Observed {
  let out: string;
  try {
    out = execFileSync('/bin/ps', ['-ww', '-o', 'stat=', '-o', 'lstart=', '-o', 'args=', '-p', String(pid)], {
      encoding: 'utf8',
      env: { LC_ALL: 'C', TZ: 'UTC0' },
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    });
  } catch (err) {
    // ps exits 1, having printed nothing, when no process has the PID.
    return (err as { status?: number | null }).status === 1 && !(err as { stdout?: string }).stdout ? 'gone' : 'unknown';
  }
  return parsePsProof(out);
}

/** What the OS says about `pid`. `platform` picks how it is asked (tests take macOS's way on Linux). */
export function observeProcess(pid: number, platform: NodeJS.Platform = process.platform): Observed {
  if (!Number.isSafeInteger(pid) || pid <= 0) return 'gone';
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: a process of another user has the PID; what the OS shows of it still tells.
    if (errno(err) === 'ESRCH') return 'gone';
  }
  if (platform === 'linux') return fromProc(pid);
  if (platform === 'darwin') return fromPs(pid);
  return 'unknown';
}

/** The proof of a running process (to record it), undefined when it cannot be had. */
export function proofOf(pid: number, platform: NodeJS.Platform = process.platform): ProcessProof | undefined {
  const seen = observeProcess(pid, platform);
  return typeof seen === 'object' ? seen : undefined;
}

/**
 * True only when `pid` runs and is provably the recorded process: the same start time, and a command
 * line that shows the recorded one. A record without proof is not.
 */
export function isSameProcess(pid: number, proof: Partial<ProcessProof> | undefined, platform: NodeJS.Platform = process.platform): boolean {
  if (!proof?.start || !proof.command) return false;
  const seen = observeProcess(pid, platform);
  return typeof seen === 'object' && seen.start === proof.start && seen.command.includes(proof.command);
}

/** A process runs under `pid` (a zombie does not count); it may be anyone's. */
export function pidRuns(pid: number, platform: NodeJS.Platform = process.platform): boolean {
  return observeProcess(pid, platform) !== 'gone';
}
