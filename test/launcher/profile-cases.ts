// One table for "the call's profile" (CONTRACT item 11), answered by both implementations: the shims'
// shell code (fast path) and src/tools/profile.ts (slow path). profile.test.ts runs every case through
// both and compares with `profile` (null: the call has no profile and cloud-stable-version applies).

export interface ProfileCase {
  name: string;
  tool: 'tsh' | 'tctl';
  args: string[];
  /** TELEPORT_PROXY. */
  envProxy?: string;
  /** Contents of $TELEPORT_HOME/current-profile (absent when undefined). */
  currentProfile?: string;
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
];
