/**
 * The one reader of tsh's command line: what the launcher needs from it (the subcommand behind global
 * flags, `--proxy`, `--insecure`). Global flags are Teleport's own (tool/tsh/common/tsh.go); kingpin
 * accepts them before or after the subcommand, and reads nothing after `--`.
 *
 * The rules, which shims/tsh's argument loop follows too (for `--proxy`):
 * - nothing from `--` on counts;
 * - `--proxy=<addr>` or `--proxy <addr>`: the last one wins, and an empty one means none given;
 * - a flag that takes a value, written without `=`, takes the next argument as its value unless that
 *   one starts with `-` (kingpin refuses a flag there, wanting a value): so in `tsh -l --proxy=x login`
 *   the proxy is `x`;
 * - a cluster of short flags (`-dl root`): the first one that takes a value takes the rest of the
 *   cluster, or else the next argument;
 * - the subcommand is the first argument that is neither a flag nor a flag's value.
 */

/** tsh global flags that take a value (long names, and their one-letter forms). */
const VALUE_FLAGS = new Set([
  'login', 'proxy', 'user', 'mem-profile', 'cpu-profile', 'trace-profile', 'option', 'ttl', 'identity', 'compat',
  'cert-format', 'trace-exporter', 'auth', 'namespace', 'add-keys-to-agent', 'bind-addr', 'callback',
  'browser-login', 'mfa-mode', 'mlock', 'piv-slot', 'jumphost',
]);
const SHORT_VALUE_FLAGS = new Set(['l', 'o', 'i', 'k', 'J']);

export interface TshCommandLine {
  /** The first positional argument (tsh's subcommand), if any. */
  subcommand: string | undefined;
  /** The value of the last non-empty `--proxy`, if any. */
  proxy: string | undefined;
  /** `--insecure` among the arguments. */
  insecure: boolean;
}

/** Can `arg` be a flag's value? Not when it is a flag itself (a lone `-` is a value). */
const isValue = (arg: string | undefined): arg is string => arg !== undefined && !(arg.startsWith('-') && arg.length > 1);

/** A short-flag cluster (`-dl`): does it need the next argument as its value? */
function clusterTakesNext(arg: string): boolean {
  for (let j = 1; j < arg.length; j++) {
    if (SHORT_VALUE_FLAGS.has(arg[j] as string)) return j === arg.length - 1;
  }
  return false;
}

export function readTshArgs(args: readonly string[]): TshCommandLine {
  const line: TshCommandLine = { subcommand: undefined, proxy: undefined, insecure: false };
  let proxy: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') break;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq === -1 ? undefined : eq);
      let value: string | undefined;
      if (eq !== -1) value = arg.slice(eq + 1);
      else if (VALUE_FLAGS.has(name) && isValue(args[i + 1])) value = args[++i];
      // The last --proxy wins, even an empty one (which then names none); one with no value changes nothing.
      if (name === 'proxy' && value !== undefined) proxy = value;
      if (arg === '--insecure') line.insecure = true;
    } else if (arg.startsWith('-') && arg.length > 1) {
      if (clusterTakesNext(arg) && isValue(args[i + 1])) i++;
    } else {
      line.subcommand ??= arg;
    }
  }
  return { ...line, proxy: proxy || undefined };
}
