/**
 * Step 1, "Setting up the role" (RFD 0133): the role `connect-my-computer-<user>` lets its owner log
 * in to nodes labelled with their name, as this computer's user. An existing role is never replaced:
 * only a missing login or owner label is added. The role is added to the user only if missing.
 */
import { ToolsError } from '../errors.js';
import type { ClientTools, Profile, Role, User } from './cluster.js';
import { createResource, getRole, getUser, permissionError, setUserRoles, TeleportCommandError } from './cluster.js';
import { OWNER_LABEL, roleName } from './paths.js';

export interface RoleOutcome {
  role: string;
  created: boolean;
  /** What was added to an existing role. */
  added: string[];
  /** The role was just added to the user (setup then refreshes their certificate: cert-refresh.ts). */
  assigned: boolean;
}

/** The cluster user, refusing SSO users: their roles come from the identity provider, not from us. */
export async function requireLocalUser(tools: ClientTools, profile: Profile): Promise<User> {
  let user: User | undefined;
  try {
    user = await getUser(tools, profile.user);
  } catch (err) {
    throw permissionError(err, 'read your own user', 'resource "user"', 'verb "read"');
  }
  if (!user) throw new ToolsError('ECMC', `user ${profile.user} is not known to cluster ${profile.cluster}; log in again with tsh login`);
  const connector = user.spec.created_by?.connector;
  if (connector) {
    throw new ToolsError(
      'ECMC',
      `Connect My Computer is not available for SSO users: ${profile.user} signs in through ${connector.type ?? 'an identity provider'}, which decides their roles; a cluster admin can add role ${roleName(profile.user)} in the identity provider's mapping instead`,
    );
  }
  return user;
}

function labelValues(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function newRole(name: string, clusterUser: string, systemUser: string): Role {
  return {
    kind: 'role',
    version: 'v6',
    metadata: { name, description: 'Connect My Computer: lets its owner log in to their own computer' },
    spec: { allow: { logins: [systemUser], node_labels: { [OWNER_LABEL]: [clusterUser] } } },
  };
}

/** The role with the missing login and owner label added, and what was added (nothing: undefined). */
function completedRole(role: Role, clusterUser: string, systemUser: string): { role: Role; added: string[] } | undefined {
  const allow = { ...role.spec.allow };
  const added: string[] = [];
  const logins = allow.logins ?? [];
  if (!logins.includes(systemUser)) {
    allow.logins = [...logins, systemUser];
    added.push(`login ${systemUser}`);
  }
  const labels = { ...allow.node_labels };
  const owners = labelValues(labels[OWNER_LABEL]);
  if (!owners.includes(clusterUser)) {
    labels[OWNER_LABEL] = [...owners, clusterUser];
    allow.node_labels = labels;
    added.push(`node label ${OWNER_LABEL}=${clusterUser}`);
  }
  return added.length ? { role: { ...role, spec: { ...role.spec, allow } }, added } : undefined;
}

export async function setupRole(tools: ClientTools, profile: Profile, user: User, systemUser: string): Promise<RoleOutcome> {
  const name = roleName(profile.user);
  const readRole = () => getRole(tools, name).catch((err: unknown) => {
    throw permissionError(err, 'read roles', 'resource "role"', 'verb "read"');
  });
  let existing = await readRole();
  let created = false;
  if (!existing) {
    try {
      await createResource(tools, newRole(name, profile.user, systemUser), false);
      created = true;
    } catch (err) {
      // Created by someone else meanwhile: treat it as existing, never overwrite it.
      if (!(err instanceof TeleportCommandError && /already exists/i.test(err.detail))) {
        throw permissionError(err, 'create roles', 'resource "role"', 'verb "create"');
      }
      existing = await readRole();
      if (!existing) throw err;
    }
  }
  let added: string[] = [];
  if (existing) {
    const completed = completedRole(existing, profile.user, systemUser);
    if (completed) {
      await createResource(tools, completed.role, true).catch((err: unknown) => {
        throw permissionError(err, 'update roles', 'resource "role"', 'verb "update"');
      });
      added = completed.added;
    }
  }
  const roles = user.spec.roles ?? [];
  let assigned = false;
  if (!roles.includes(name)) {
    await setUserRoles(tools, profile.user, [...roles, name]).catch((err: unknown) => {
      throw permissionError(err, 'add a role to your user', 'resource "user"', 'verb "update"');
    });
    assigned = true;
  }
  return { role: name, created, added, assigned };
}
