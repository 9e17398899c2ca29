import { isJsonObject } from '../../domain/json-patch/index.js';
import { validateMetadataRequest } from '../../domain/metadata/index.js';
import { unknownFieldsError } from './v3-request-body.js';
import { messageParseError, unprocessable } from '../../errors/v3-catalogue.js';

/** What a create body may hold. CF's `template` is not offered: Coffer has no processes to take a template from. */
const ALLOWED_KEYS = ['name', 'command', 'disk_in_mb', 'memory_in_mb', 'log_rate_limit_in_bytes_per_second', 'droplet_guid', 'user', 'metadata'];

/**
 * Cloud Controller's ceiling for integer fields, 2^63-1, quoted in its messages. Every double at or above 2^63 is
 * beyond it and every double below it is within, so comparing with 2^63 is exact for JSON numbers.
 */
const CF_MAX_INTEGER_TEXT = '9223372036854775807';
const beyondCfInteger = (value: number): boolean => value >= 2 ** 63;

export interface TaskCreateMessage {
  name: string | undefined;
  command: string;
  user: string | null;
  memoryInMb: number | undefined;
  diskInMb: number | undefined;
  logRateLimit: number | undefined;
  dropletGuid: string | null;
  metadata: unknown;
}

/** Cloud Controller's TaskCreateMessage: every problem, in its wording, as one 422. */
export function parseTaskCreate(body: unknown): TaskCreateMessage {
  if (body === undefined) body = {};
  if (!isJsonObject(body)) throw messageParseError();
  const errors: string[] = [];
  const unknown = unknownFieldsError(body, ALLOWED_KEYS);
  if (unknown) errors.push(unknown);

  const name = body.name;
  if (name !== undefined && name !== null && typeof name !== 'string') errors.push('Name must be a string');
  const command = body.command;
  if (command === undefined || command === null) errors.push('Command No command or template provided');
  else if (typeof command !== 'string') errors.push('Command must be a string');
  const user = body.user;
  if (user !== undefined && user !== null) {
    if (typeof user !== 'string') errors.push('User must be a string');
    else if ([...user].length < 1 || [...user].length > 255) errors.push('User must be between 1 and 255 characters');
  }
  errors.push(...positiveInteger(body.memory_in_mb, 'Memory in mb'));
  errors.push(...positiveInteger(body.disk_in_mb, 'Disk in mb'));
  errors.push(...logRate(body.log_rate_limit_in_bytes_per_second));
  const droplet = body.droplet_guid;
  if (droplet !== undefined && droplet !== null) {
    if (typeof droplet !== 'string') errors.push('Droplet guid must be a string');
    else if (droplet.length < 1 || droplet.length > 200) errors.push('Droplet guid must be between 1 and 200 characters');
  }
  errors.push(...validateMetadataRequest(body.metadata));
  if (errors.length > 0) throw unprocessable(errors);

  return {
    name: typeof name === 'string' ? name : undefined,
    command: command as string,
    user: typeof user === 'string' ? user : null,
    memoryInMb: typeof body.memory_in_mb === 'number' ? body.memory_in_mb : undefined,
    diskInMb: typeof body.disk_in_mb === 'number' ? body.disk_in_mb : undefined,
    logRateLimit: typeof body.log_rate_limit_in_bytes_per_second === 'number' ? body.log_rate_limit_in_bytes_per_second : undefined,
    dropletGuid: typeof droplet === 'string' ? droplet : null,
    metadata: body.metadata,
  };
}

/** ActiveModel numericality (only_integer, greater_than 0); null means "use the default". */
function positiveInteger(value: unknown, label: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'number') return [`${label} is not a number`];
  if (!Number.isInteger(value)) return [`${label} must be an integer`];
  if (value <= 0) return [`${label} must be greater than 0`];
  if (beyondCfInteger(value)) return [`${label} must be less than or equal to ${CF_MAX_INTEGER_TEXT}`];
  return [];
}

/** -1 is unlimited. */
function logRate(value: unknown): string[] {
  const label = 'Log rate limit in bytes per second';
  if (value === undefined || value === null) return [];
  if (typeof value !== 'number') return [`${label} is not a number`];
  if (!Number.isInteger(value)) return [`${label} must be an integer`];
  if (value <= -2) return [`${label} must be greater than -2`];
  if (beyondCfInteger(value)) return [`${label} must be less than or equal to ${CF_MAX_INTEGER_TEXT}`];
  return [];
}
