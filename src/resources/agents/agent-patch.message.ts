import { ADD_OR_REPLACE, readAllowListPatch, valueMust, type PatchAllowList, type PatchTest } from '../../domain/json-patch/index.js';

export const LOG_LEVELS = ['all', 'trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

const isBoolean = valueMust((value) => typeof value === 'boolean', 'must be true or false');

/** docs/reference/rackspace-cloud-backup-v2.md §3.1: the four paths a user may change; `add` and `replace` mean the same. */
export const AGENT_PATCH: PatchAllowList = {
  refusals: { style: 'brief' },
  paths: [
    { path: '/enabled', ops: ADD_OR_REPLACE, parse: isBoolean },
    {
      path: '/vault/region',
      ops: ADD_OR_REPLACE,
      parse: valueMust((value) => typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value), 'must be a region identifier such as DFW'),
    },
    { path: '/vault/use_internal', ops: ADD_OR_REPLACE, parse: isBoolean },
    {
      path: '/log_level',
      aliases: ['/log-level'],
      ops: ADD_OR_REPLACE,
      parse: valueMust((value) => typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value.toLowerCase()), `must be one of ${LOG_LEVELS.join(', ')}`),
    },
  ],
};

export interface AgentPatchMessage {
  tests: readonly PatchTest[];
  enabled?: boolean;
  region?: string;
  useInternal?: boolean;
  logLevel?: string;
}

export function parseAgentPatch(body: unknown): AgentPatchMessage {
  const { tests, changes } = readAllowListPatch(body, AGENT_PATCH);
  const logLevel = changes.get('/log_level') as string | undefined;
  return {
    tests,
    enabled: changes.get('/enabled') as boolean | undefined,
    region: changes.get('/vault/region') as string | undefined,
    useInternal: changes.get('/vault/use_internal') as boolean | undefined,
    logLevel: logLevel?.toLowerCase(),
  };
}
