import type { AppContext } from './context.js';

export interface PeriodicWork {
  /** Names the work in the warning logged when a pass fails. */
  what: string;
  intervalMs: number;
  /** When the first pass runs; one interval after the start when left out, at once (next turn) when 0. */
  firstAfterMs?: number;
  /**
   * Store notification channels that ask for a pass now (another node's word that there is work). A notice that
   * arrives during a pass makes one more pass right after it: the news may have come too late for the pass in flight.
   */
  wakeOn?: readonly string[];
  /** One pass; `stopping` is aborted when the worker is asked to stop, for passes that loop over batches. */
  run(stopping: AbortSignal): Promise<unknown>;
}

/**
 * The lifecycle every background worker of the server shares: a pass every `intervalMs`, never two at once (a tick
 * that finds a pass still running is skipped), a failed pass logged and the next one run as usual, and timers that
 * do not keep the process alive. The returned stop clears the timers, stops listening, and waits for a pass in
 * flight; no pass starts after it.
 */
export function startPeriodicWork(ctx: AppContext, work: PeriodicWork): () => Promise<void> {
  const stopping = new AbortController();
  let running: Promise<unknown> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let first: NodeJS.Timeout | undefined;

  const pass = () => {
    if (running || stopping.signal.aborted) return;
    again = false;
    running = work
      .run(stopping.signal)
      .catch((error: unknown) => ctx.log.warn({ err: error }, `${work.what} failed`))
      .finally(() => {
        running = null;
        if (again) pass();
      });
  };
  const wake = () => {
    if (running) again = true;
    else pass();
  };
  const repeat = () => {
    timer = setInterval(pass, work.intervalMs);
    timer.unref();
  };

  const wakeOn = work.wakeOn ?? [];
  const unlisten = wakeOn.length > 0 ? ctx.store.listen((channel) => wakeOn.includes(channel) && wake()) : () => {};
  if (work.firstAfterMs === undefined) repeat();
  else {
    first = setTimeout(() => {
      pass();
      repeat();
    }, work.firstAfterMs);
    first.unref();
  }
  return async () => {
    stopping.abort();
    clearTimeout(first);
    clearInterval(timer);
    unlisten();
    await running;
  };
}
