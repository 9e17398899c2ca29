/**
 * How often an agent polls and heartbeats in each activation mode, and when it counts as online. The figures are
 * the reference's `system_preferences.events.rse` block (§3.1.3).
 */
export type ActivationMode = 'idle' | 'active' | 'real_time';

export const ACTIVATION_MODES: readonly ActivationMode[] = ['idle', 'active', 'real_time'];

/**
 * The reference lets an idle agent go an hour between heartbeats; this server asks for one at least every five
 * minutes (COFFER_AGENT_HEARTBEAT_SECONDS), so a lost agent shows offline within a quarter of an hour, not two.
 */
export const DEFAULT_IDLE_HEARTBEAT_MS = 300_000;

export function heartbeatIntervals(idleMs = DEFAULT_IDLE_HEARTBEAT_MS): Record<ActivationMode, number> {
  return { idle: idleMs, active: 1_000, real_time: 1_000 };
}

/** An agent is online while heard from within three idle heartbeat intervals (75 s when activated). */
export function heartbeatTimeouts(idleMs = DEFAULT_IDLE_HEARTBEAT_MS): Record<ActivationMode, number> {
  return { idle: 3 * idleMs, active: 75_000, real_time: 75_000 };
}
export const POLLING_INTERVAL_MS: Record<ActivationMode, number> = { idle: 10_000, active: 1_000, real_time: 300 };
export const POLLING_TIMEOUT_MS: Record<ActivationMode, number> = { idle: 90_000, active: 60_000, real_time: 40_000 };

/** How long an `agent_activate` lasts before the agent is considered back to idle. */
export const ACTIVATION_PERIOD_MS = 10 * 60_000;

export function isActivationMode(value: unknown): value is ActivationMode {
  return typeof value === 'string' && (ACTIVATION_MODES as readonly string[]).includes(value);
}

/** The mode the agent is in now: an activation expires back to idle. */
export function effectiveMode(activationMode: string, activationUntil: string | null, now = new Date()): ActivationMode {
  if (!isActivationMode(activationMode) || activationMode === 'idle') return 'idle';
  if (activationUntil === null || activationUntil <= now.toISOString()) return 'idle';
  return activationMode;
}

/** Deadline written with an activation: null for idle (nothing to expire). */
export function activationDeadline(mode: ActivationMode, now = new Date()): string | null {
  return mode === 'idle' ? null : new Date(now.getTime() + ACTIVATION_PERIOD_MS).toISOString();
}

/** Online = the agent was heard from within its mode's heartbeat timeout. */
export function isOnline(lastSeenAt: string | null, mode: ActivationMode, now = new Date(), idleHeartbeatMs = DEFAULT_IDLE_HEARTBEAT_MS): boolean {
  if (lastSeenAt === null) return false;
  return now.getTime() - Date.parse(lastSeenAt) <= heartbeatTimeouts(idleHeartbeatMs)[mode];
}
