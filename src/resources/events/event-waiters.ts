import { DeadlineQueue } from '../../server/deadline-queue.js';

/**
 * Why a wait ended: `event` (one of its scope may have committed, or notifications may have been missed: look
 * again), `deadline` (nothing came), `cancelled`.
 */
export type WakeReason = 'event' | 'deadline' | 'cancelled';

/** One long poll waiting for an event; `woken` resolves when one may have come, the wait ran out or it was cancelled. */
export interface EventWaiter {
  readonly woken: Promise<WakeReason>;
}

class Waiter implements EventWaiter {
  readonly woken: Promise<WakeReason>;
  resolve!: (reason: WakeReason) => void;
  /** Its bucket in the deadline queue; -1 once woken. */
  bucket = -1;

  constructor(
    readonly projectId: string,
    /** Only events of this agent, or of no agent (project-wide), wake it; undefined = every event of the project. */
    readonly agentId: string | undefined,
  ) {
    this.woken = new Promise((resolve) => (this.resolve = resolve));
  }
}

/** A project's waiters: those that every event wakes, and those of one agent's stream, by agent. */
interface ProjectWaiters {
  everyEvent: Set<Waiter>;
  byAgent: Map<string, Set<Waiter>>;
}

/**
 * The long polls a node holds, found by project and agent: an agent's event wakes that agent's waiters (and the
 * project-wide ones) without looking at the other agents' thousands. A waiter is a small object and a promise: the
 * deadlines share one timer, and nothing else is kept per poll.
 */
export class EventWaiters {
  private readonly projects = new Map<string, ProjectWaiters>();
  private readonly deadlines = new DeadlineQueue<Waiter>((waiter) => this.wake(waiter, 'deadline'));
  private count = 0;

  /** Registers a waiter that wakes at `deadline` (ms since the epoch) at the latest. */
  arm(projectId: string, agentId: string | undefined, deadline: number): EventWaiter {
    const waiter = new Waiter(projectId, agentId);
    let project = this.projects.get(projectId);
    if (!project) this.projects.set(projectId, (project = { everyEvent: new Set(), byAgent: new Map() }));
    if (agentId === undefined) {
      project.everyEvent.add(waiter);
    } else {
      let agentWaiters = project.byAgent.get(agentId);
      if (!agentWaiters) project.byAgent.set(agentId, (agentWaiters = new Set()));
      agentWaiters.add(waiter);
    }
    waiter.bucket = this.deadlines.add(waiter, deadline);
    this.count++;
    return waiter;
  }

  /** Resolves the waiter and forgets it; a waiter already woken is left as it is. */
  wake(waiter: EventWaiter, reason: WakeReason): void {
    if (!(waiter instanceof Waiter) || waiter.bucket < 0) return;
    this.deadlines.delete(waiter, waiter.bucket);
    waiter.bucket = -1;
    this.count--;
    const project = this.projects.get(waiter.projectId)!;
    if (waiter.agentId === undefined) {
      project.everyEvent.delete(waiter);
    } else {
      const agentWaiters = project.byAgent.get(waiter.agentId)!;
      agentWaiters.delete(waiter);
      if (agentWaiters.size === 0) project.byAgent.delete(waiter.agentId);
    }
    if (project.everyEvent.size === 0 && project.byAgent.size === 0) this.projects.delete(waiter.projectId);
    waiter.resolve(reason);
  }

  /** An event of the project committed: with `agentId`, one of that agent; without, one that concerns every agent. */
  wakeFor(projectId: string, agentId: string | undefined): void {
    const project = this.projects.get(projectId);
    if (!project) return;
    // Waking removes the waiter from the set being walked, which a Set's iteration allows.
    for (const waiter of project.everyEvent) this.wake(waiter, 'event');
    if (agentId !== undefined) {
      const agentWaiters = project.byAgent.get(agentId);
      if (agentWaiters) for (const waiter of agentWaiters) this.wake(waiter, 'event');
    } else {
      for (const agentWaiters of project.byAgent.values()) for (const waiter of agentWaiters) this.wake(waiter, 'event');
    }
  }

  wakeAll(): void {
    for (const projectId of [...this.projects.keys()]) this.wakeFor(projectId, undefined);
  }

  get size(): number {
    return this.count;
  }

  close(): void {
    this.wakeAll();
    this.deadlines.close();
  }
}
