/**
 * The agent's wall clock for schedules (retention is judged by the server). COFFER_AGENT_CLOCK_OFFSET_MS shifts it (tests, and hosts
 * whose clock is known to be off); token lifetimes and timeouts always use the real clock.
 */
export class AgentClock {
  constructor(readonly offsetMs = 0) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): AgentClock {
    const raw = env.COFFER_AGENT_CLOCK_OFFSET_MS;
    const offset = raw === undefined || raw === '' ? 0 : Number(raw);
    if (!Number.isFinite(offset)) throw new Error(`COFFER_AGENT_CLOCK_OFFSET_MS must be a number of milliseconds, got "${raw}"`);
    return new AgentClock(offset);
  }

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Real milliseconds from now until the agent's clock reads `time`. */
  until(time: number): number {
    return time - this.now();
  }
}
