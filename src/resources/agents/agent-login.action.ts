import { conflict, invalidToken } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { BodyCheck } from '../common/body-check.js';
import { verifyPassword } from '../identity/password.js';
import { issueToken, type IssuedToken } from '../identity/tokens.js';

export interface AgentLoginMessage {
  id: string;
  password: string;
  fingerprint: string;
  name?: string;
  version?: string;
  os?: { name: string; version: string; architecture: string };
  addresses?: { version: number; addr: string }[];
  /** What the agent's owner allowed on the host; absent (an older agent) means nothing optional. */
  tasksEnabled: boolean;
}

export function parseAgentLogin(body: unknown): AgentLoginMessage {
  const check = BodyCheck.object(body);
  const id = check.string('id', { required: true, nonEmpty: true });
  const password = check.string('password', { required: true });
  const fingerprint = check.string('host.fingerprint', { required: true });
  const name = check.string('name') ?? undefined;
  const version = check.string('version') ?? undefined;
  const os = check.object('host.os') ?? undefined;
  const addresses = check.array('host.addresses');
  const tasks = check.boolean('capabilities.tasks');
  check.done();
  return {
    id: id as string,
    password: password as string,
    fingerprint: fingerprint as string,
    name: name || undefined,
    version: version || undefined,
    os: os && typeof os.name === 'string' ? (os as AgentLoginMessage['os']) : undefined,
    tasksEnabled: tasks === true,
    addresses: addresses?.every((a) => a && typeof a === 'object' && typeof (a as { addr?: unknown }).addr === 'string') ? (addresses as AgentLoginMessage['addresses']) : undefined,
  };
}

/** Agent login: id + password + the fingerprint it registered with; refreshes what the agent says about its host. */
export async function agentLogin(ctx: AppContext, projectId: string, message: AgentLoginMessage, address: string): Promise<IssuedToken> {
  const account = `agent:${projectId}/${message.id}`;
  await ctx.logins.assertAllowed(account, address);
  const row = await ctx.store.db.selectFrom('agents').selectAll().where('id', '=', message.id).where('project_id', '=', projectId).executeTakeFirst();
  if (!(await verifyPassword(message.password, row?.password_hash, () => ctx.logins.assertAllowedNow(account, address))) || !row) {
    await ctx.logins.failed(account, address);
    throw invalidToken('The agent id or password is wrong.');
  }
  await ctx.logins.succeeded(account);
  if (row.fingerprint !== message.fingerprint) {
    throw conflict('The host fingerprint does not match the one this agent registered with: two agents may be attempting to authenticate as one.');
  }
  const host = JSON.parse(row.host);
  if (message.os) host.os = message.os;
  if (message.addresses) host.addresses = message.addresses;
  return ctx.store.transaction(async (tx) => {
    await tx.db
      .updateTable('agents')
      .set({
        name: message.name ?? row.name,
        version: message.version ?? row.version,
        host: JSON.stringify(host),
        tasks_enabled: message.tasksEnabled ? 1 : 0,
        last_seen_at: new Date().toISOString(),
      })
      .where('id', '=', row.id)
      .execute();
    return issueToken(tx.db, { userId: null, agentId: row.id, projectId }, ctx.config.tokenTtlSeconds);
  });
}
