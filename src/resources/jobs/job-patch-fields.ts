import { accept as ok, ADD_OR_REPLACE, refuse as fail, type AllowedPath, type PatchAllowList } from '../../domain/json-patch/index.js';
import { normaliseTime } from '../../server/time.js';
import type { StateMachine } from '../../domain/state-machines/state-machine.js';
import type { Job, JobErrors } from './job.js';

/** One patchable path of a job (an allowed path of the job kind's allow-list) and where its value lands. */
export interface PatchField extends AllowedPath {
  /** Replaces members of the draft (a shallow copy of the job); never changes an object the job holds. */
  write(draft: Job, value: unknown): void;
}

/** A job kind's allow-list: refusals name the paths and ops that would have been allowed, as sentences. */
export function jobPatchAllowList(fields: readonly PatchField[]): PatchAllowList<PatchField> {
  return { refusals: { style: 'listing', sentenceEnd: '.' }, paths: fields };
}

export function stateField(machine: StateMachine): PatchField {
  return {
    path: '/state',
    ops: ADD_OR_REPLACE,
    parse: (value) =>
      typeof value === 'string' && machine.states.includes(value) ? ok(value) : fail(`"${String(value)}" is not a valid ${machine.name} state; valid states are ${machine.states.join(', ')}`),
    write: (draft, value) => {
      draft.state = value as string;
    },
  };
}

export function timeField(name: 'started_time' | 'ended_time', aliases: string[] = []): PatchField {
  return {
    path: `/${name}`,
    aliases,
    ops: ADD_OR_REPLACE,
    parse: (value) => {
      if (value === null) return ok(null);
      const normalised = typeof value === 'string' ? normaliseTime(value) : null;
      return normalised ? ok(normalised) : fail(`must be an ISO-8601 date-time string or null, got ${JSON.stringify(value)}`);
    },
    write: (draft, value) => {
      if (name === 'started_time') draft.startedTime = value as string | null;
      else draft.endedTime = value as string | null;
    },
  };
}

export function counterField(name: string, aliases: string[] = []): PatchField {
  return {
    path: `/${name}`,
    aliases,
    ops: ADD_OR_REPLACE,
    parse: (value) => (Number.isSafeInteger(value) && (value as number) >= 0 ? ok(value) : fail(`must be a non-negative integer, got ${JSON.stringify(value)}`)),
    write: (draft, value) => {
      draft.results = { ...draft.results, [name]: value };
    },
  };
}

export const snapshotIdField: PatchField = {
  path: '/snapshot_id',
  ops: ADD_OR_REPLACE,
  parse: (value) => (value === null || (Number.isSafeInteger(value) && (value as number) >= 0) ? ok(value) : fail(`must be a non-negative integer or null, got ${JSON.stringify(value)}`)),
  write: (draft, value) => {
    draft.snapshotId = value as number | null;
  },
};

export const snapshotIdsField: PatchField = {
  path: '/snapshot_ids',
  ops: ADD_OR_REPLACE,
  parse: (value) => (Array.isArray(value) && value.every((v) => Number.isSafeInteger(v) && v >= 0) ? ok(value) : fail(`must be an array of non-negative integers, got ${JSON.stringify(value)}`)),
  write: (draft, value) => {
    draft.results = { ...draft.results, snapshot_ids: value };
  },
};

/** `{count, reason, diagnostics, list}` as the agent sends it; stored and echoed as sent. */
export const errorsField: PatchField = {
  path: '/errors',
  ops: ADD_OR_REPLACE,
  parse: (value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail('must be an object with count, reason, diagnostics and list');
    const errors = value as Record<string, unknown>;
    if (errors.count !== undefined && !(Number.isSafeInteger(errors.count) && (errors.count as number) >= 0)) return fail('count must be a non-negative integer');
    for (const key of ['reason', 'diagnostics'] as const) {
      if (errors[key] !== undefined && errors[key] !== null && typeof errors[key] !== 'string') return fail(`${key} must be a string or null`);
    }
    if (errors.list !== undefined && !Array.isArray(errors.list)) return fail('list must be an array');
    const list = (errors.list as unknown[] | undefined) ?? [];
    for (const [index, item] of list.entries()) {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) return fail(`list[${index}] must be an object`);
      const entry = item as Record<string, unknown>;
      if (entry.path !== undefined && typeof entry.path !== 'string') return fail(`list[${index}].path must be a string`);
      if (entry.type !== undefined && typeof entry.type !== 'string') return fail(`list[${index}].type must be a string`);
    }
    const parsed: JobErrors = {
      count: (errors.count as number | undefined) ?? list.length,
      reason: (errors.reason as string | null | undefined) ?? '',
      diagnostics: errors.diagnostics === undefined ? '' : (errors.diagnostics as string | null),
      list,
    };
    return ok(parsed);
  },
  write: (draft, value) => {
    draft.errors = value as JobErrors;
  },
};
