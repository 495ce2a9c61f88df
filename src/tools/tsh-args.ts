/**
 * Just enough of tsh's command line to find the subcommand behind global flags (`tsh --insecure
 * login`, `tsh -d login`, `tsh -l root login`) and the proxy. Global flags are Teleport's own
 * (tool/tsh/common/tsh.go); kingpin accepts them before or after the subcommand.
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
  /** The value of --proxy, if given. */
  proxy: string | undefined;
}

export function parseTshArgs(args: readonly string[]): TshCommandLine {
  let subcommand: string | undefined;
  let proxy: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') break;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq === -1 ? undefined : eq);
      let value: string | undefined;
      if (eq !== -1) value = arg.slice(eq + 1);
      else if (VALUE_FLAGS.has(name) && subcommand === undefined) value = args[++i];
      else if (name === 'proxy') value = args[++i];
      if (name === 'proxy') proxy = value;
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // A cluster of short flags: the first value-taking one takes the rest, or the next argument.
      for (let j = 1; j < arg.length; j++) {
        if (SHORT_VALUE_FLAGS.has(arg[j] as string)) {
          if (j === arg.length - 1 && subcommand === undefined) i++;
          break;
        }
      }
      continue;
    }
    if (subcommand === undefined) subcommand = arg;
    else if (subcommand !== 'login' && subcommand !== 'logout') break; // the rest belongs to the subcommand
  }
  return { subcommand, proxy };
}

/** The host of a proxy address as tsh takes it: `host`, `host:port`, `host:443,3023`, or a URL. */
export function proxyHost(address: string): string | undefined {
  let rest = address.trim().split(',')[0] ?? '';
  rest = rest.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '');
  if (rest.startsWith('[')) return rest.slice(1, rest.indexOf(']')).toLowerCase() || undefined;
  const host = rest.replace(/:\d*$/, '').toLowerCase();
  return host || undefined;
}

export function isCloudHost(host: string, suffixes: readonly string[]): boolean {
  return suffixes.some((s) => host.endsWith(s.toLowerCase()) && host.length > s.length);
}
