/**
 * A schedule that cannot be accepted. `message` is written for the API's 400 body and the CLI:
 * it names the offending field (`path`) and what is wrong with it (`reason`).
 */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';

  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}
