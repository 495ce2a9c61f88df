/**
 * After setup adds the role to the user, the certificate gets it the way Teleport Connect does it,
 * without a new login: `tsh request drop` of an ID that matches no request reissues the certificate
 * with the user's current roles and keeps the real access requests. `tsh status` then shows whether
 * the role is in. Only when it is not does the user have to log in again, and they are told why.
 */
import { randomUUID } from 'node:crypto';
import { describeError } from '../errors.js';
import type { ClientTools } from './cluster.js';
import { activeProfile, dropAccessRequests } from './cluster.js';

export type Refresh = { ok: true } | { ok: false; reason: string };

const short = (text: string): string => JSON.stringify(text.trim().split('\n')[0]?.slice(0, 120) ?? '');

export async function refreshCertificate(tools: ClientTools, role: string): Promise<Refresh> {
  let printed: string;
  try {
    printed = await dropAccessRequests(tools, [`bogus-request-id-${randomUUID()}`]);
  } catch (err) {
    return { ok: false, reason: `tsh request drop could not reissue your certificate: ${describeError(err)}` };
  }
  let roles: string[];
  try {
    roles = (await activeProfile(tools)).roles;
  } catch (err) {
    return { ok: false, reason: `tsh status could not be read after tsh request drop: ${describeError(err)}` };
  }
  if (roles.includes(role)) return { ok: true };
  return {
    ok: false,
    reason: `after tsh request drop (which printed ${printed.trim() ? short(printed) : 'nothing'}) your certificate still lacks role ${role}`,
  };
}
