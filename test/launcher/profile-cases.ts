// One table for "the call's profile" (docs/behaviour.md item 11), answered by both implementations: the
// shims' shell code (fast path) and src/tools/profile.ts (slow path). profile.test.ts runs every case
// through both and compares with `profile` (null: the call has no profile and cloud-stable-version
// applies). RECORD_CASES does the same for reading the one-line version records.

export interface ProfileCase {
  name: string;
  tool: 'tsh' | 'tctl';
  args: string[];
  /** TELEPORT_PROXY. */
  envProxy?: string;
  /** Contents of $TELEPORT_HOME/current-profile (absent when undefined). */
  currentProfile?: string;
  /** current-profile is a directory (then currentProfile is unset). */
  currentProfileIsDirectory?: true;
  profile: string | null;
  /**
   * Where a wrong reading of the input would look, relative to cluster-versions/ (may climb out
   * of it): a record is planted there, and the case fails if it is used.
   */
  trap?: string;
}

const long = 'a'.repeat(4096);
const huge = 'x'.repeat(100_000);

export const PROFILE_CASES: ProfileCase[] = [
  { name: '--proxy=host:port', tool: 'tsh', args: ['--proxy=a.example.com:3080', 'status'], profile: 'a.example.com' },
  { name: '--proxy host:port', tool: 'tsh', args: ['--proxy', 'b.example.com:443', 'status'], profile: 'b.example.com' },
  { name: '--proxy after the subcommand', tool: 'tsh', args: ['ls', '--proxy', 'b.example.com'], profile: 'b.example.com' },
  { name: '--proxy as a URL', tool: 'tsh', args: ['--proxy=https://c.example.com:443/web', 'status'], profile: 'c.example.com' },
  { name: '--proxy with the SSH port', tool: 'tsh', args: ['--proxy=d.example.com:443,3023', 'ls'], profile: 'd.example.com' },
  { name: '--proxy IPv6 literal', tool: 'tsh', args: ['--proxy=[::1]:3080', 'status'], profile: '::1' },
  { name: 'the last --proxy wins', tool: 'tsh', args: ['--proxy=one.example.com', '--proxy', 'two.example.com', 'status'], profile: 'two.example.com', trap: 'one.example.com' },
  { name: '--proxy over TELEPORT_PROXY', tool: 'tsh', args: ['--proxy=flag.example.com', 'status'], envProxy: 'env.example.com', profile: 'flag.example.com', trap: 'env.example.com' },
  { name: 'nothing after --', tool: 'tsh', args: ['ssh', 'host', '--', '--proxy=x.example.com'], currentProfile: 'cur.example.com\n', profile: 'cur.example.com', trap: 'x.example.com' },
  { name: 'an empty --proxy= falls through', tool: 'tsh', args: ['--proxy=', 'status'], currentProfile: 'cur.example.com\n', profile: 'cur.example.com' },
  { name: 'TELEPORT_PROXY', tool: 'tsh', args: ['status'], envProxy: 'env.example.com:3080', profile: 'env.example.com' },
  { name: 'TELEPORT_PROXY over current-profile', tool: 'tsh', args: ['status'], envProxy: 'env.example.com', currentProfile: 'cur.example.com\n', profile: 'env.example.com', trap: 'cur.example.com' },
  { name: 'TELEPORT_PROXY IPv6 in brackets', tool: 'tsh', args: ['status'], envProxy: '[::1]', profile: '::1' },
  { name: 'TELEPORT_PROXY with a path', tool: 'tsh', args: ['status'], envProxy: 'a.example.com/b', profile: 'a.example.com' },
  { name: 'current-profile', tool: 'tsh', args: ['status'], currentProfile: 'cur.example.com\n', profile: 'cur.example.com' },
  { name: 'current-profile without a newline', tool: 'tsh', args: ['status'], currentProfile: 'cur.example.com', profile: 'cur.example.com' },
  { name: 'current-profile: only the first line', tool: 'tsh', args: ['status'], currentProfile: 'cur.example.com\nother.example.com\n', profile: 'cur.example.com' },
  { name: 'current-profile case is kept', tool: 'tsh', args: ['status'], currentProfile: 'Cur.Example.com\n', profile: 'Cur.Example.com' },
  { name: 'no profile at all', tool: 'tsh', args: ['status'], profile: null },
  { name: 'tctl: TELEPORT_PROXY', tool: 'tctl', args: ['status'], envProxy: 'env.example.com:3025', profile: 'env.example.com' },
  { name: 'tctl: --proxy is not its flag', tool: 'tctl', args: ['--proxy=flag.example.com', 'status'], currentProfile: 'cur.example.com\n', profile: 'cur.example.com', trap: 'flag.example.com' },
  // Where the parsers used to disagree (proxyHost lower-cased, parseTshArgs let -l take --proxy=x as its value).
  { name: 'case is kept: --proxy', tool: 'tsh', args: ['--proxy=Prod.Example.com:443', 'status'], profile: 'Prod.Example.com', trap: 'prod.example.com' },
  { name: 'case is kept: TELEPORT_PROXY with a scheme and a path', tool: 'tsh', args: ['status'], envProxy: 'HTTPS://Prod.Example.com/web', profile: 'Prod.Example.com', trap: 'prod.example.com' },
  { name: 'a flag before --proxy does not take it as its value', tool: 'tsh', args: ['-l', '--proxy=x.example.com', 'status'], currentProfile: 'cur.example.com\n', profile: 'x.example.com', trap: 'cur.example.com' },
  { name: '--user before --proxy <addr>', tool: 'tsh', args: ['--user', '--proxy', 'x.example.com', 'ls'], profile: 'x.example.com' },
  { name: '--proxy followed by a flag has no value', tool: 'tsh', args: ['--proxy', '--insecure', 'status'], currentProfile: 'cur.example.com\n', profile: 'cur.example.com', trap: '--insecure' },
  { name: '--proxy followed by -- has no value', tool: 'tsh', args: ['ssh', '--proxy', '--', 'x.example.com'], currentProfile: 'cur.example.com\n', profile: 'cur.example.com', trap: 'x.example.com' },
  { name: 'an empty last --proxy= names none', tool: 'tsh', args: ['--proxy=one.example.com', '--proxy=', 'status'], envProxy: 'env.example.com', profile: 'env.example.com', trap: 'one.example.com' },
  { name: 'an empty --proxy= with TELEPORT_PROXY', tool: 'tsh', args: ['--proxy=', 'status'], envProxy: 'env.example.com', currentProfile: 'cur.example.com\n', profile: 'env.example.com', trap: 'cur.example.com' },
  { name: 'a bare IPv6 literal in TELEPORT_PROXY', tool: 'tsh', args: ['status'], envProxy: '::1', profile: '::1' },
  { name: 'a bare IPv6 literal in --proxy', tool: 'tsh', args: ['--proxy=fe80::1', 'status'], profile: 'fe80::1', trap: 'fe80:' },
  { name: 'IPv6 literal with a port list', tool: 'tsh', args: ['--proxy=[::1]:3080,3023', 'status'], profile: '::1' },
  { name: 'tctl: case is kept', tool: 'tctl', args: ['status'], envProxy: 'Prod.Example.com:3025', profile: 'Prod.Example.com', trap: 'prod.example.com' },
  // current-profile read as `IFS= read -r` reads it: the first line exactly, NUL bytes dropped.
  { name: 'current-profile: a NUL byte is dropped', tool: 'tsh', args: ['status'], currentProfile: 'cur.example\0.com\n', profile: 'cur.example.com' },
  { name: 'current-profile: CR LF', tool: 'tsh', args: ['status'], currentProfile: 'cur.example.com\r\n', profile: null, trap: 'cur.example.com' },
  { name: 'current-profile: a trailing space', tool: 'tctl', args: ['status'], currentProfile: 'cur.example.com \n', profile: null, trap: 'cur.example.com' },
  { name: 'current-profile: a directory', tool: 'tsh', args: ['status'], currentProfileIsDirectory: true, profile: null },
  // Hostile names: none of them becomes part of a path.
  { name: 'hostile: --proxy=../x', tool: 'tsh', args: ['--proxy=../x', 'status'], profile: null, trap: '../x' },
  { name: 'hostile: current-profile ../x', tool: 'tsh', args: ['status'], currentProfile: '../x\n', profile: null, trap: '../x' },
  { name: 'hostile: current-profile ..', tool: 'tsh', args: ['status'], currentProfile: '..\n', profile: null },
  { name: 'hostile: current-profile a/b', tool: 'tsh', args: ['status'], currentProfile: 'a/b\n', profile: null, trap: 'a/b' },
  { name: 'hostile: current-profile .hidden', tool: 'tctl', args: ['status'], currentProfile: '.hidden\n', profile: null, trap: '.hidden' },
  { name: 'hostile: empty current-profile', tool: 'tsh', args: ['status'], currentProfile: '', profile: null },
  { name: 'hostile: blank first line', tool: 'tsh', args: ['status'], currentProfile: '\ncur.example.com\n', profile: null, trap: 'cur.example.com' },
  { name: 'hostile: spaces', tool: 'tsh', args: ['status'], currentProfile: ' cur.example.com\n', profile: null, trap: 'cur.example.com' },
  { name: 'hostile: glob characters', tool: 'tsh', args: ['status'], currentProfile: '*\n', profile: null },
  { name: 'hostile: 4 KB current-profile', tool: 'tsh', args: ['status'], currentProfile: `${long}\n`, profile: null },
  { name: 'hostile: 4 KB --proxy', tool: 'tsh', args: [`--proxy=${long}:443`, 'status'], profile: null },
  // Over MAX_ADDRESS_LENGTH, an address names no profile even when its host would be a plain one.
  { name: 'hostile: 100 kB --proxy with a plain host', tool: 'tsh', args: [`--proxy=https://big.example.com/${huge}`, 'status'], profile: null, trap: 'big.example.com' },
  { name: 'hostile: 100 kB TELEPORT_PROXY with a plain host', tool: 'tctl', args: ['status'], envProxy: `big.example.com:${huge}`, profile: null, trap: 'big.example.com' },
  { name: 'a 100 kB --proxy before a plain one: the last still wins', tool: 'tsh', args: [`--proxy=${huge}`, '--proxy', 'last.example.com', 'status'], profile: 'last.example.com' },
  { name: 'an address of 1024 characters still names its profile', tool: 'tsh', args: [`--proxy=https://at.example.com/${'p'.repeat(1024 - 'https://at.example.com/'.length)}`], profile: 'at.example.com' },
  { name: 'hostile: an address of 1025 characters names none', tool: 'tsh', args: ['status'], envProxy: `https://at.example.com/${'p'.repeat(1025 - 'https://at.example.com/'.length)}`, profile: null, trap: 'at.example.com' },
  { name: 'hostile: colon outside an IPv6 literal', tool: 'tsh', args: ['status'], envProxy: 'host:notaport', profile: null, trap: 'host' },
  { name: 'hostile: --proxy=/', tool: 'tsh', args: ['--proxy=/etc', 'status'], currentProfile: 'cur.example.com\n', profile: null, trap: 'cur.example.com' },
  { name: 'hostile: a leading dash', tool: 'tsh', args: ['status'], currentProfile: '-x\n', profile: null, trap: '-x' },
  { name: 'hostile: --proxy=-', tool: 'tsh', args: ['--proxy', '-', 'status'], currentProfile: 'cur.example.com\n', profile: null, trap: 'cur.example.com' },
  { name: 'hostile: a space in TELEPORT_PROXY', tool: 'tsh', args: ['status'], envProxy: ' env.example.com', profile: null, trap: 'env.example.com' },
];

/**
 * `cloud-stable-version` and `cluster-versions/<profile>` hold one line, a plain X.Y.Z. Both paths read
 * the first line as `IFS= read -r` does (exactly, NUL bytes dropped) and use it only when it is plain.
 * `version` is what is used (null: nothing); `trap` names a version directory a looser reading would run.
 */
export interface RecordCase {
  name: string;
  content: string;
  version: string | null;
  trap?: string;
}

export const RECORD_CASES: RecordCase[] = [
  { name: 'one line', content: '13.2.3\n', version: '13.2.3' },
  { name: 'no newline', content: '13.2.3', version: '13.2.3' },
  { name: 'a second line is not read', content: '13.2.3\n14.0.0\n', version: '13.2.3', trap: '14.0.0' },
  { name: 'a NUL byte is dropped', content: '13.2.3\0\n', version: '13.2.3' },
  { name: 'a NUL byte inside is dropped', content: '13.\x002.3\n', version: '13.2.3' },
  { name: 'a trailing space', content: '13.2.3 \n', version: null, trap: '13.2.3' },
  { name: 'a leading space', content: ' 13.2.3\n', version: null, trap: '13.2.3' },
  { name: 'CR LF', content: '13.2.3\r\n', version: null, trap: '13.2.3' },
  { name: 'a blank first line', content: '\n13.2.3\n', version: null, trap: '13.2.3' },
  { name: 'empty', content: '', version: null },
  { name: 'a v prefix', content: 'v13.2.3\n', version: null, trap: '13.2.3' },
  { name: 'a leading zero', content: '013.2.3\n', version: null, trap: '013.2.3' },
  { name: 'seven digits', content: '1234567.0.0\n', version: null, trap: '1234567.0.0' },
  { name: 'four parts', content: '1.2.3.4\n', version: null, trap: '1.2.3.4' },
  { name: 'a path', content: '../13.2.3\n', version: null },
];
