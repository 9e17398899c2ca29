import { forbidden } from '../../errors/app-error.js';
import type { Caller } from '../../server/caller.js';

/** Operations of the control panel (change, delete, vault requests): people's tokens, never an agent's. */
export function assertUserCaller(caller: Caller): void {
  if (caller.kind === 'agent') throw forbidden('This operation is for users, not agents.');
}
