import type { AppContext } from '../../server/context.js';
import { MISSED_NOTIFICATIONS } from '../../store/store.js';
import { ADMISSION_CHANNEL, runAdmissionPass } from './backup-admission.js';

/**
 * Runs admission passes on this node: when any node says a slot may have come free (ADMISSION_CHANNEL), and every
 * `admissionPollMs` in case such a word was lost (a node died between a job's end and its pass). Passes never
 * overlap on a node; a wake-up during a pass makes one more pass after it.
 */
export function startAdmissionRunner(ctx: AppContext): () => Promise<void> {
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;

  const pass = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    again = false;
    running = runAdmissionPass(ctx)
      .then((admitted) => {
        if (admitted.length > 0) ctx.log.info({ admitted: admitted.map((job) => job.id) }, 'queued backups admitted');
      })
      .catch((error: unknown) => ctx.log.warn({ err: error }, 'backup admission pass failed'))
      .finally(() => {
        running = undefined;
        if (again) pass();
      });
  };

  const unlisten = ctx.store.listen((channel) => {
    if (channel === ADMISSION_CHANNEL || channel === MISSED_NOTIFICATIONS) pass();
  });
  const timer = setInterval(pass, ctx.config.admissionPollMs);
  timer.unref();
  const stop = async () => {
    stopped = true;
    clearInterval(timer);
    unlisten();
    await running;
  };
  ctx.onClose(stop);
  return stop;
}
