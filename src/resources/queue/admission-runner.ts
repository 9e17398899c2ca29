import type { AppContext } from '../../server/context.js';
import { startPeriodicWork } from '../../server/periodic-work.js';
import { MISSED_NOTIFICATIONS } from '../../store/store.js';
import { ADMISSION_CHANNEL, runAdmissionPass } from './backup-admission.js';

/**
 * Runs admission passes on this node: when any node says a slot may have come free (ADMISSION_CHANNEL), and every
 * `admissionPollMs` in case such a word was lost (a node died between a job's end and its pass). Passes never
 * overlap on a node; a wake-up during a pass makes one more pass after it.
 */
export function startAdmissionRunner(ctx: AppContext): () => Promise<void> {
  return startPeriodicWork(ctx, {
    what: 'backup admission pass',
    intervalMs: ctx.config.admissionPollMs,
    wakeOn: [ADMISSION_CHANNEL, MISSED_NOTIFICATIONS],
    async run() {
      const admitted = await runAdmissionPass(ctx);
      if (admitted.length > 0) ctx.log.info({ admitted: admitted.map((job) => job.id) }, 'queued backups admitted');
    },
  });
}
