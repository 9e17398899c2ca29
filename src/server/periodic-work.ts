import type { AppContext } from './context.js';

export interface PeriodicWork {
  /** Names the work in the warning logged when a pass fails. */
  what: string;
  intervalMs: number;
  /** When the first pass runs; one interval after the start when left out. */
  firstAfterMs?: number;
  run(): Promise<unknown>;
}

/**
 * The lifecycle every background worker of the server shares: a pass every `intervalMs`, never two at once (a tick
 * that finds a pass still running is skipped), a failed pass logged and the next one run as usual, and timers that
 * do not keep the process alive. The returned stop clears the timers and waits for a pass in flight.
 */
export function startPeriodicWork(ctx: AppContext, work: PeriodicWork): () => Promise<void> {
  let running: Promise<unknown> | null = null;
  let timer: NodeJS.Timeout | undefined;
  const pass = () => {
    if (running) return;
    running = work
      .run()
      .catch((error: unknown) => ctx.log.warn({ err: error }, `${work.what} failed`))
      .finally(() => {
        running = null;
      });
  };
  const repeat = () => {
    timer = setInterval(pass, work.intervalMs);
    timer.unref();
  };
  let first: NodeJS.Timeout | undefined;
  if (work.firstAfterMs === undefined) repeat();
  else {
    first = setTimeout(() => {
      pass();
      repeat();
    }, work.firstAfterMs);
    first.unref();
  }
  return async () => {
    clearTimeout(first);
    clearInterval(timer);
    await running;
  };
}
