/**
 * Proxy addresses as tsh takes them (`--proxy`, TELEPORT_PROXY, a profile's `web_proxy_addr`), and the
 * one rule that turns an address into tsh's profile name: its host. shims/tsh and shims/tctl apply the
 * same steps with parameter expansions (test/launcher/profile-cases.ts holds both to one table).
 *
 * tsh names a profile after the host of the proxy address: it drops an `https://` prefix, splits off
 * the port (`host:443`, and the web/SSH pair `host:443,3023`), takes an IPv6 literal out of its
 * brackets, and keeps everything else as typed. So, in order:
 *   0. length: an address over MAX_ADDRESS_LENGTH names no profile (the shims never expand one that
 *      long: some of their expansions take time that grows with the square of the length);
 *   1. scheme: everything through the first `://` goes (tsh drops only `https://`; any other scheme
 *      would not name a profile tsh can use, so nothing is lost by dropping it too);
 *   2. path: from the first `/` on (an address copied from the browser);
 *   3. port list: from the first `,` on (`host:443,3023`);
 *   4. `[...]`: what is inside the brackets (`[::1]:3080` is `::1`);
 *      two or more `:` without brackets: a bare IPv6 literal, kept whole (`::1`, `fe80::1`);
 *      else a trailing `:<digits>` (the port) goes; any other `:` stays, and the result is then not a
 *      profile name (profile-name.ts), so `host:notaport` names no profile;
 *   5. case: kept, as tsh keeps it in profile names and current-profile (`Prod.Example.com` stays
 *      `Prod.Example.com`); only comparisons of DNS names (the Cloud suffixes) ignore case;
 *   6. whitespace: kept (tsh trims nothing either); a name with a space is not a profile name.
 */
import { isProfileName } from './profile-name.js';

/** Longest address that can name a profile (step 0): far longer than any real proxy address. */
export const MAX_ADDRESS_LENGTH = 1024;

/** `host[:port]` of an address: steps 1-3 above. */
export function authorityOf(address: string): string {
  let p = address;
  const scheme = p.indexOf('://');
  if (scheme !== -1) p = p.slice(scheme + 3);
  return (p.split('/')[0] as string).split(',')[0] as string;
}

/** The host of an address (steps 0-6 above; '' when too long); not yet checked to be a profile name. */
export function hostOfAddress(address: string): string {
  if (address.length > MAX_ADDRESS_LENGTH) return '';
  const p = authorityOf(address);
  if (p.startsWith('[') && p.slice(1).includes(']')) return p.slice(1, p.indexOf(']'));
  if (p.indexOf(':') !== p.lastIndexOf(':')) return p;
  const colon = p.indexOf(':');
  return colon !== -1 && /^[0-9]*$/.test(p.slice(colon + 1)) ? p.slice(0, colon) : p;
}

/** The port an address names (the web port of `host:443,3023`), if any. */
export function portOfAddress(address: string): string | undefined {
  const authority = authorityOf(address);
  if (!authority.startsWith('[') && authority.indexOf(':') !== authority.lastIndexOf(':')) return undefined;
  return /:(\d+)$/.exec(authority)?.[1];
}

/** The profile an address names: its host, when that is a profile name. */
export function profileOfAddress(address: string): string | undefined {
  const host = hostOfAddress(address);
  return isProfileName(host) ? host : undefined;
}

/** Is `host` a Teleport Cloud proxy? DNS names ignore case, so the suffixes do too. */
export function isCloudHost(host: string, suffixes: readonly string[]): boolean {
  const h = host.toLowerCase();
  return suffixes.some((s) => h.endsWith(s.toLowerCase()) && h.length > s.length);
}
