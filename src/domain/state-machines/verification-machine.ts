/**
 * A verification run: the agent picks it up (`in_progress`), checks one subset of the vault's packs and ends it
 * `passed` or `failed`; it may also end a run straight from `start_requested`. Only the agent moves a run.
 */
export const VERIFICATION_RUN_STATES = ['start_requested', 'in_progress', 'passed', 'failed'] as const;
export type VerificationRunState = (typeof VERIFICATION_RUN_STATES)[number];
export const VERIFICATION_TERMINAL: readonly VerificationRunState[] = ['passed', 'failed'];

/** Allowed moves of a run, by the state it is in. */
export const VERIFICATION_NEXT: Readonly<Record<VerificationRunState, readonly VerificationRunState[]>> = {
  start_requested: ['in_progress', 'passed', 'failed'],
  in_progress: ['passed', 'failed'],
  passed: [],
  failed: [],
};
