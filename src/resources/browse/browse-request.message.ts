import { BodyCheck } from '../common/body-check.js';

const MAX_PATH = 4096;

export interface HostBrowseMessage {
  path: string;
  pathEncoded: string | null;
}

export interface BackupBrowseMessage extends HostBrowseMessage {
  agentId: string;
  encryptedPasswordHex: string | null;
}

/** `path_encoded` is the base64 form of a path that is not UTF-8; "(Required)" in the docs, but may be absent. */
function pathFields(check: BodyCheck): HostBrowseMessage {
  const path = check.string('path', { required: true, nonEmpty: true, maxLength: MAX_PATH });
  const pathEncoded = check.string('path_encoded', { nullable: true, maxLength: MAX_PATH * 2 }) ?? null;
  if (pathEncoded && !/^[A-Za-z0-9+/]*={0,2}$/.test(pathEncoded)) check.problem('path_encoded must be base64.');
  return { path: path as string, pathEncoded };
}

export function parseHostBrowse(body: unknown): HostBrowseMessage {
  const check = BodyCheck.object(body);
  const fields = pathFields(check);
  check.done();
  return fields;
}

export function parseBackupBrowse(body: unknown): BackupBrowseMessage {
  const check = BodyCheck.object(body);
  const agentId = check.string('agent_id', { required: true, nonEmpty: true, maxLength: 255 });
  const encryptedPasswordHex = check.string('encrypted_password_hex', { nullable: true, maxLength: 16384 }) ?? null;
  const fields = pathFields(check);
  check.done();
  return { ...fields, agentId: agentId as string, encryptedPasswordHex };
}
