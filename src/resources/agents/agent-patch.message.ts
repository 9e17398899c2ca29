import { interpretRestrictedPatch, validatePatchDocument, type RestrictedPatchRules, type TestOperation } from '../../domain/json-patch/index.js';

export const LOG_LEVELS = ['all', 'trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

const isBoolean = (value: unknown) => typeof value === 'boolean' || 'must be true or false';

/** docs/reference/rackspace-cloud-backup-v2.md §3.1: the four paths a user may change; `add` and `replace` mean the same. */
const RULES: RestrictedPatchRules = {
  '/enabled': { ops: 'add-or-replace', validate: isBoolean },
  '/vault/region': {
    ops: 'add-or-replace',
    validate: (value) => (typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value)) || 'must be a region identifier such as DFW',
  },
  '/vault/use_internal': { ops: 'add-or-replace', validate: isBoolean },
  '/log_level': {
    ops: 'add-or-replace',
    aliases: ['/log-level'],
    validate: (value) => (typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value.toLowerCase())) || `must be one of ${LOG_LEVELS.join(', ')}`,
  },
};

export interface AgentPatchMessage {
  tests: TestOperation[];
  enabled?: boolean;
  region?: string;
  useInternal?: boolean;
  logLevel?: string;
}

export function parseAgentPatch(body: unknown): AgentPatchMessage {
  const { tests, changes } = interpretRestrictedPatch(validatePatchDocument(body), RULES);
  const logLevel = changes.get('/log_level') as string | undefined;
  return {
    tests,
    enabled: changes.get('/enabled') as boolean | undefined,
    region: changes.get('/vault/region') as string | undefined,
    useInternal: changes.get('/vault/use_internal') as boolean | undefined,
    logLevel: logLevel?.toLowerCase(),
  };
}
