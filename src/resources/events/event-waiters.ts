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

/**
 * How fast an event of a whole project wakes its waiters: a batch at once, then a batch per interval. Each woken
 * poll reads its stream, answers, and its agent renews the poll at once: about half a millisecond of the event loop
 * per agent here. Woken all at once, 20,000 polls would hold every other request for seconds; at 1,000 a second
 * they take at most half the loop, and reach 20,000 agents in 20 s.
 */
export interface ProjectWakePace {
  batch: number;
  intervalMs: number;
}
const PROJECT_WAKE_PACE: ProjectWakePace = { batch: 25, intervalMs: 25 };

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

  constructor(private readonly pace: ProjectWakePace = PROJECT_WAKE_PACE) {}
  private count = 0;
  private closed = false;

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

  /**
   * An event of the project committed: with `agentId`, one of that agent (its waiters and the project-wide ones
   * wake now); without, one that concerns every agent, whose waiters wake at the pace above, so that thousands of
   * polls looking again do not hold up every other request until they are done.
   */
  wakeFor(projectId: string, agentId: string | undefined): void {
    const project = this.projects.get(projectId);
    if (!project) return;
    if (agentId === undefined) return this.wakePaced([...project.everyEvent, ...[...project.byAgent.values()].flatMap((waiters) => [...waiters])]);
    // Waking removes the waiter from the set being walked, which a Set's iteration allows.
    for (const waiter of project.everyEvent) this.wake(waiter, 'event');
    const agentWaiters = project.byAgent.get(agentId);
    if (agentWaiters) for (const waiter of agentWaiters) this.wake(waiter, 'event');
  }

  /** Every waiter may have missed an event (notifications were lost): all look again, in batches as above. */
  wakeAll(): void {
    for (const projectId of [...this.projects.keys()]) this.wakeFor(projectId, undefined);
  }

  /** Wakes `waiters` from `from` on, a batch now and the others later; one woken or cancelled meanwhile is left as it is. */
  private wakePaced(waiters: readonly Waiter[], from = 0): void {
    const end = Math.min(waiters.length, from + this.pace.batch);
    for (let i = from; i < end; i++) this.wake(waiters[i]!, 'event');
    if (end < waiters.length && !this.closed) setTimeout(() => this.wakePaced(waiters, end), this.pace.intervalMs);
  }

  get size(): number {
    return this.count;
  }

  /** Wakes every waiter now (the server is stopping: polls answer at once). */
  close(): void {
    this.closed = true;
    for (const project of [...this.projects.values()]) {
      for (const waiter of [...project.everyEvent]) this.wake(waiter, 'event');
      for (const waiters of [...project.byAgent.values()]) for (const waiter of [...waiters]) this.wake(waiter, 'event');
    }
    this.deadlines.close();
  }
}
