/**
 * `--insecure`, as `tsh --insecure`: for clusters whose proxy has a self-signed certificate. The choice
 * is remembered per profile (in the cmc state), so `cmc start` after `cmc setup --insecure` needs no
 * flag; `--no-insecure` turns it off again. With it, the ping request, tsh, tctl and the agent all
 * skip certificate verification; without it, a certificate error says that the flag exists.
 */
import { ToolsError, describeError } from '../errors.js';
import type { ProfileState } from './state.js';

/** The flag when given (true or false), else what the profile remembers. */
export function resolveInsecure(flag: boolean | undefined, state: ProfileState): boolean {
  return flag ?? Boolean(state.insecure);
}

/** The one line each start prints while certificate checks are off. */
export function insecureNotice(profile: string): string {
  return `certificate checks are off for ${profile} (--insecure): the proxy's certificate is not verified by teleport-tools, tsh, tctl or the agent, so any certificate it presents, a changed one included, is accepted`;
}

// Node's and undici's codes, and the words of Go's crypto/x509 that tsh, tctl and teleport print.
const CERT_CODES = /^(UNABLE_TO_(GET_ISSUER_CERT|VERIFY_LEAF_SIGNATURE|GET_ISSUER_CERT_LOCALLY)|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_\w+|ERR_TLS_CERT_ALTNAME_INVALID)$/;
const CERT_WORDS = /x509:|certificate signed by unknown authority|self[- ]signed certificate|unable to verify the first certificate|certificate has expired/i;

/** Does `err` (or one of its causes) say that the server's certificate was not trusted? */
export function isCertificateError(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && CERT_CODES.test(e.code)) return true;
    if (typeof e.message === 'string' && CERT_WORDS.test(e.message)) return true;
  }
  return false;
}

/** A certificate error turned into one line that names the flag; anything else unchanged. */
export function explainCertificateError(err: unknown, what: string, insecure: boolean): unknown {
  if (insecure || !isCertificateError(err)) return err;
  return new ToolsError(
    'ECMC',
    `${what ? `${what}: ` : ''}the proxy's certificate is not trusted by this computer (${describeError(err)}). If the cluster uses a self-signed certificate (tsh login --insecure), run the command again with --insecure`,
    { cause: err },
  );
}
