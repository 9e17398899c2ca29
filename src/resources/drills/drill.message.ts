import { validateSchedule, type StoredSchedule } from '../../domain/schedule/index.js';
import { BodyCheck } from '../common/body-check.js';
import { normaliseTargetPath, targetPathProblem } from './drill-target.js';

export const DEFAULT_TIMEOUT_SECONDS = 3600;
export const MIN_TIMEOUT_SECONDS = 10;
export const MAX_TIMEOUT_SECONDS = 7 * 86_400;
/** Cloud Controller's task command limit: the check becomes a task. */
export const MAX_COMMAND_LENGTH = 4096;
const MAX_NAME_LENGTH = 255;

export interface DrillFields {
  name: string;
  configurationId: string;
  /** Absent on create: the configuration's own agent. */
  agentId: string | undefined;
  targetPath: string;
  command: string;
  user: string | null;
  schedule: StoredSchedule | null;
  timeoutSeconds: number;
  enabled: boolean;
}

const FIELDS = ['name', 'configuration_id', 'agent_id', 'target_path', 'command', 'user', 'schedule', 'timeout_seconds', 'enabled'];

/** POST: name, configuration_id, target_path and command are required. */
export function parseDrillCreate(body: unknown): DrillFields {
  const check = BodyCheck.object(body);
  const fields = readFields(check, true);
  check.done();
  return {
    name: fields.name!,
    configurationId: fields.configurationId!,
    agentId: fields.agentId,
    targetPath: fields.targetPath!,
    command: fields.command!,
    user: fields.user ?? null,
    schedule: fields.schedule ?? null,
    timeoutSeconds: fields.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    enabled: fields.enabled ?? true,
  };
}

/** PATCH: a JSON object of the fields to change; configuration_id cannot change (a drill belongs to one configuration). */
export function parseDrillUpdate(body: unknown): Partial<DrillFields> {
  const check = BodyCheck.object(body);
  if (check.has('configuration_id')) check.problem('configuration_id cannot be changed: create a drill for the other configuration instead.');
  const fields = readFields(check, false);
  delete fields.configurationId;
  if (Object.values(fields).every((v) => v === undefined) && check.problems.length === 0) check.problem(`Give at least one of ${FIELDS.filter((f) => f !== 'configuration_id').join(', ')}.`);
  check.done();
  return fields;
}

function readFields(check: BodyCheck, required: boolean): Partial<DrillFields> {
  for (const key of Object.keys(check.body as object)) if (!FIELDS.includes(key)) check.problem(`${key} is not a drill field.`);
  const name = check.string('name', { required, nonEmpty: true, maxLength: MAX_NAME_LENGTH });
  const configurationId = check.string('configuration_id', { required, nonEmpty: true });
  const agentId = check.string('agent_id', { nonEmpty: true });
  let targetPath = check.string('target_path', { required, nonEmpty: true });
  if (typeof targetPath === 'string') {
    const problem = targetPathProblem(targetPath);
    if (problem) check.problem(problem);
    targetPath = normaliseTargetPath(targetPath);
  }
  const command = check.string('command', { required, nonEmpty: true, maxLength: MAX_COMMAND_LENGTH });
  const user = check.string('user', { nullable: true, nonEmpty: true, maxLength: 255 });
  let schedule: StoredSchedule | null | undefined;
  if (check.has('schedule')) {
    const value = check.get('schedule');
    const problems = validateSchedule(value);
    problems.forEach((p) => check.problem(p));
    if (problems.length === 0) schedule = value === null ? null : { recurrence: (value as StoredSchedule).recurrence, time_zone: (value as StoredSchedule).time_zone };
  }
  const timeoutSeconds = check.integer('timeout_seconds', { min: MIN_TIMEOUT_SECONDS, max: MAX_TIMEOUT_SECONDS });
  const enabled = check.boolean('enabled');
  return {
    name: name ?? undefined,
    configurationId: configurationId ?? undefined,
    agentId: agentId ?? undefined,
    targetPath: targetPath ?? undefined,
    command: command ?? undefined,
    user: user === undefined ? undefined : user,
    schedule,
    timeoutSeconds,
    enabled,
  };
}
