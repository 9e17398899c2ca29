import { forbidden } from '../errors/app-error.js';

/** Rackspace role names, weakest first; the multi-product and account-owner roles map onto them. */
export const ROLE_NAMES = ['cloudbackup:observer', 'cloudbackup:creator', 'cloudbackup:admin'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];
export type Level = 'observer' | 'creator' | 'admin';

const LEVEL_RANK: Record<Level, number> = { observer: 1, creator: 2, admin: 3 };
const ROLE_RANK: Record<string, number> = {
  'cloudbackup:observer': 1,
  observer: 1,
  'cloudbackup:creator': 2,
  'cloudbackup:admin': 3,
  admin: 3,
  'identity:user-admin': 3,
};

export type Caller =
  /** The global administrator: COFFER_ADMIN_TOKEN or a user created as admin. */
  | { kind: 'admin'; userId: string | null; username: string }
  | { kind: 'user'; userId: string; username: string; projectId: string; roles: string[] }
  /** A registered agent, logged in with its own id, password and fingerprint. */
  | { kind: 'agent'; agentId: string; projectId: string };

export function callerRank(caller: Caller): number {
  switch (caller.kind) {
    case 'admin':
      return 3;
    case 'agent':
      // An agent reports on its own work: creator rights, limited to its own resources by each permission step.
      return 2;
    case 'user':
      return Math.max(0, ...caller.roles.map((r) => ROLE_RANK[r] ?? 0));
  }
}

export function hasLevel(caller: Caller, level: Level): boolean {
  return callerRank(caller) >= LEVEL_RANK[level];
}

export function requireLevel(caller: Caller, level: Level): void {
  if (!hasLevel(caller, level)) throw forbidden();
}

/**
 * Whether the request speaks for this agent: only the agent's own token does. `X-Agent-Id` never makes anyone an
 * agent; with a user's token it is ignored, and with an agent's token it must name that agent (see v2Scope).
 */
export function isAgentItself(caller: Caller, agentId: string): boolean {
  return caller.kind === 'agent' && caller.agentId === agentId;
}

/** Operations of the control panel are for people's tokens, never an agent's: `why` says so in the 403. */
export function requireUserCaller(caller: Caller, why: string): void {
  if (caller.kind === 'agent') throw forbidden(why);
}

/** The project a caller lives in; the global administrator may act in any. */
export function canSeeProject(caller: Caller, projectId: string): boolean {
  return caller.kind === 'admin' || caller.projectId === projectId;
}

export function isRoleName(value: unknown): value is RoleName {
  return typeof value === 'string' && (ROLE_NAMES as readonly string[]).includes(value);
}

/** Settings of the whole server or of a project's limits are the global administrator's: `why` says so in the 403. */
export function requireServerAdmin(caller: Caller, why: string): void {
  if (caller.kind !== 'admin') throw forbidden(why);
}
