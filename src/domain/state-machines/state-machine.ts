/**
 * A job's state machine as data: its wire values, the order progress states move in, which states each actor may
 * set, and which states end the job. `assertTransition` is the only judge, used by every writer.
 */
export type Actor = 'agent' | 'user' | 'server';

export interface StateMachine<S extends string = string> {
  /** Wire name of the job type, used in messages and event names ("backup", "restore", …). */
  readonly name: string;
  readonly states: readonly S[];
  /** Rank of each progress state; a report may only move to a higher rank. Start states rank lowest. */
  readonly rank: Readonly<Partial<Record<S, number>>>;
  readonly terminal: readonly S[];
  /** A state that asks the job to stop: allowed from any non-terminal state, after which only terminal states follow. */
  readonly stopRequest: S | null;
  readonly settableBy: Readonly<Record<Actor, readonly S[]>>;
  /** The 409 text for any change to a job that has ended. */
  readonly terminalMessage: string;
}

export type TransitionVerdict = { outcome: 'change' } | { outcome: 'unchanged' } | { outcome: 'refused'; reason: 'actor'; message: string } | { outcome: 'refused'; reason: 'state'; message: string };

export function isTerminal(machine: StateMachine, state: string): boolean {
  return machine.terminal.includes(state);
}

export function judgeTransition(machine: StateMachine, from: string, to: string, actor: Actor): TransitionVerdict {
  if (!machine.states.includes(to)) {
    return { outcome: 'refused', reason: 'state', message: `"${to}" is not a ${machine.name} state.` };
  }
  if (!machine.settableBy[actor].includes(to)) {
    return { outcome: 'refused', reason: 'actor', message: `The ${actor} may not set a ${machine.name} to "${to}".` };
  }
  if (from === to) return { outcome: 'unchanged' };
  if (isTerminal(machine, from)) return { outcome: 'refused', reason: 'state', message: machine.terminalMessage };
  if (isTerminal(machine, to) || to === machine.stopRequest) return { outcome: 'change' };
  if (from === machine.stopRequest) {
    return { outcome: 'refused', reason: 'state', message: `A ${machine.name} that was asked to stop can only end; "${to}" is not an end state.` };
  }
  if ((machine.rank[to] ?? 0) <= (machine.rank[from] ?? 0)) {
    return { outcome: 'refused', reason: 'state', message: `A ${machine.name} cannot go from "${from}" back to "${to}".` };
  }
  return { outcome: 'change' };
}

export class TransitionError extends Error {
  constructor(
    readonly reason: 'actor' | 'state',
    message: string,
  ) {
    super(message);
    this.name = 'TransitionError';
  }
}

/** Throws TransitionError when the move is refused; returns whether the state actually changes. */
export function assertTransition(machine: StateMachine, from: string, to: string, actor: Actor): 'change' | 'unchanged' {
  const verdict = judgeTransition(machine, from, to, actor);
  if (verdict.outcome === 'refused') throw new TransitionError(verdict.reason, verdict.message);
  return verdict.outcome;
}

/** Python-style list text used by the documented 409 messages: ['a', 'b']. */
export function quotedList(states: readonly string[]): string {
  return `[${states.map((s) => `'${s}'`).join(', ')}]`;
}
