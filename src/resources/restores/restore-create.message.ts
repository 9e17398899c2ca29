import type { PathItem } from '../configurations/configuration.js';
import { checkPathItems } from '../configurations/configuration-rules.js';
import { BodyCheck } from '../common/body-check.js';

export interface RestoreCreateMessage {
  backupId: string;
  destinationAgentId: string;
  /** null: restore every file to where it was backed up from. */
  destinationPath: string | null;
  overwriteFiles: boolean;
  encryptedPasswordHex: string | null;
  inclusions: PathItem[];
  exclusions: PathItem[];
}

/**
 * The §3.4 start body. `destination_agent_ID` (the method page's spelling) is accepted for `destination_agent_id`;
 * unknown fields such as the Python SDK's `source_agent_id` are ignored.
 */
export function parseRestoreCreate(body: unknown): RestoreCreateMessage {
  const check = BodyCheck.object(body);
  const backupId = check.string('backup_id', { required: true, nonEmpty: true });
  const canonical = check.string('destination_agent_id', { nonEmpty: true });
  const alias = check.string('destination_agent_ID', { nonEmpty: true });
  if (canonical === undefined && alias === undefined) check.problem('destination_agent_id is required.');
  if (typeof canonical === 'string' && typeof alias === 'string' && canonical !== alias) {
    check.problem('destination_agent_id and destination_agent_ID name different agents; send one of them.');
  }
  const destinationPath = check.string('destination_path', { nullable: true, nonEmpty: true });
  const overwriteFiles = check.boolean('overwrite_files');
  const encryptedPasswordHex = check.string('encrypted_password_hex', { nullable: true, nonEmpty: true });
  const inclusions = checkPathItems(check, 'inclusions', { required: false });
  const exclusions = checkPathItems(check, 'exclusions', { required: false });
  check.done();
  return {
    backupId: backupId as string,
    destinationAgentId: (canonical ?? alias) as string,
    destinationPath: destinationPath ?? null,
    overwriteFiles: overwriteFiles ?? false,
    encryptedPasswordHex: encryptedPasswordHex ?? null,
    inclusions: inclusions ?? [],
    exclusions: exclusions ?? [],
  };
}
