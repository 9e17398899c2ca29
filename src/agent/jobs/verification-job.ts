import { replace, type JobRuntime } from './job-runtime.js';
import { VerificationRunState } from '../../domain/job-states.js';

export interface VerificationWork {
  id: string;
  part: number;
  of: number;
}

const MAX_ERRORS = 1000;
const MAX_ERROR_LENGTH = 4096;

/** `verification_start_request`: the run id and `read_data_subset` "n/t" (1 ≤ n ≤ t ≤ 256); anything else is ignored. */
export function verificationWorkFromEvent(body: Record<string, any>): VerificationWork | undefined {
  const id = body.verification?.id;
  const match = /^(\d{1,3})\/(\d{1,3})$/.exec(String(body.verification?.read_data_subset ?? ''));
  if (typeof id !== 'string' || id === '' || !match) return undefined;
  const part = Number(match[1]);
  const of = Number(match[2]);
  if (!(of >= 1 && of <= 256 && part >= 1 && part <= of)) return undefined;
  return { id, part, of };
}

/**
 * Checks the agent's vault (structure always; the bytes of subset `part` of `of` of the packs) and reports the run
 * passed or failed with every problem found.
 */
export async function runVerificationJob(rt: JobRuntime, work: VerificationWork): Promise<void> {
  const url = rt.api.v2('verifications', work.id);
  await rt.api.patch(url, [replace('/state', VerificationRunState.in_progress)]);
  let operations;
  try {
    const vault = await rt.vault.open();
    const result = await vault.check({ readDataSubset: { part: work.part, of: work.of } });
    rt.log.info({ verification: work.id, subset: `${work.part}/${work.of}`, ok: result.ok, errors: result.errors.length, packsRead: result.packsRead }, 'verification');
    operations = [
      replace(
        '/errors',
        result.errors.slice(0, MAX_ERRORS).map((e) => e.slice(0, MAX_ERROR_LENGTH)),
      ),
      replace('/packs', result.packs),
      replace('/packs_read', result.packsRead),
      replace('/bytes_read', result.bytesRead),
      replace('/snapshots', result.snapshots),
      replace('/state', result.ok ? VerificationRunState.passed : VerificationRunState.failed),
    ];
  } catch (err) {
    rt.log.warn({ err, verification: work.id }, 'verification could not run');
    operations = [replace('/errors', [`the check could not run: ${(err as Error).message ?? String(err)}`.slice(0, MAX_ERROR_LENGTH)]), replace('/state', VerificationRunState.failed)];
  }
  await rt.api.patch(url, operations);
}
