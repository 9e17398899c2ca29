import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { saveAgentConfig, type AgentConfig } from './agent-config.js';
import { describeNetworkFailure } from '../net/network-failure.js';
import { taskSettingsProblems, type TaskSettings } from './jobs/task-policy.js';
import { ApiError, parseBody } from '../net/api-error.js';
import { hostFacts, newFingerprint, newRsaKeyPair, readMachineId } from './host-identity.js';
import { AGENT_VERSION } from './session.js';

export interface RegisterOptions {
  api: string;
  user: string;
  /** A password, or an API key when `apiKey` is set. */
  secret: string;
  apiKey: boolean;
  configPath: string;
  project?: string;
  name?: string;
  vaultPassword?: string;
  force?: boolean;
  /** `private`: the server keeps no recovery copy of the vault key (docs/disaster-recovery.md). */
  keyCustody?: 'server' | 'private';
  /** An agent (id or name) whose host is gone: the new agent adopts its vault, configurations and history. */
  replace?: string;
  /** What tasks may do on this host; tasks stay off when absent. */
  tasks?: TaskSettings;
}

export interface Registration {
  config: AgentConfig;
  /** The agent replaced, when `replace` was given. */
  replaced: { id: string; name: string } | null;
}

async function callJson(method: string, url: string, body: unknown, headers: Record<string, string> = {}): Promise<any> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new Error(`cannot reach ${new URL(url).origin}: ${describeNetworkFailure(error)}`, { cause: error });
  }
  const text = await response.text();
  if (!response.ok) throw ApiError.forRequest(method, url, response.status, parseBody(text));
  return text === '' ? undefined : JSON.parse(text);
}

const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) => callJson('POST', url, body, headers);

/** The agent to replace, by id or unique name. */
async function findAgentToReplace(agentsUrl: string, ref: string, headers: Record<string, string>): Promise<{ id: string; name: string }> {
  const { agents } = (await callJson('GET', agentsUrl, undefined, headers)) as { agents: { id: string; name: string }[] };
  const byId = agents.find((a) => a.id === ref);
  if (byId) return byId;
  const named = agents.filter((a) => a.name === ref);
  if (named.length === 1) return named[0]!;
  throw new Error(named.length === 0 ? `no agent "${ref}" in the project to replace` : `${named.length} agents are named "${ref}": give the id of the one to replace`);
}

/**
 * Registers this host once: logs in as the user, `POST /v2/{project}/agents` with a stable machine id, a new
 * fingerprint and RSA key, and keeps the agent's id and password, the fingerprint and a new vault password in the
 * config file (mode 0600). The vault password never leaves this host. With `replace`, the new agent then takes
 * over the old agent's vault (the v2 vault move); if the server refuses that, the new agent is deleted again and
 * no configuration is written, so a refused replacement leaves everything as it was.
 */
export async function registerThisHost(options: RegisterOptions): Promise<Registration> {
  if (fs.existsSync(options.configPath) && !options.force) {
    throw new Error(`this host is already registered (${options.configPath}); use --force to register it again as a new agent`);
  }
  const problems = taskSettingsProblems(options.tasks);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const api = options.api.replace(/\/+$/, '');
  const credentials = options.apiKey
    ? { 'RAX-KSKEY:apiKeyCredentials': { username: options.user, apiKey: options.secret } }
    : { passwordCredentials: { username: options.user, password: options.secret } };
  const login = await postJson(`${api}/v2.0/tokens`, { auth: credentials });
  const userToken: string = login.access.token.id;
  const projectId = options.project ?? login.access.token.tenant?.id;
  if (!projectId) throw new Error('the user belongs to no project; pass --project');
  const machineId = readMachineId();
  const fingerprint = newFingerprint(machineId);
  const rsa = newRsaKeyPair();
  const facts = hostFacts();
  const name = options.name ?? os.hostname();
  const agentsUrl = `${api}/v2/${encodeURIComponent(projectId)}/agents`;
  const auth = { 'x-auth-token': userToken };
  const replaced = options.replace ? await findAgentToReplace(agentsUrl, options.replace, auth) : null;
  const agent = await postJson(
    agentsUrl,
    {
      name,
      version: AGENT_VERSION,
      host: { flavor: 'nova', region: null, machine: { id: machineId }, os: facts.os, fingerprint, addresses: facts.addresses },
      rsa_public_key: { modulus: rsa.modulus, exponent: rsa.exponent },
      vault: { use_internal: true, key_custody: options.keyCustody ?? 'server' },
    },
    auth,
  );
  if (replaced) {
    try {
      await postJson(`${agentsUrl}/${encodeURIComponent(agent.id)}/vault`, { source_agent_id: replaced.id }, auth);
    } catch (err) {
      await callJson('DELETE', `${agentsUrl}/${encodeURIComponent(agent.id)}`, undefined, auth).catch(() => undefined);
      throw new Error(`could not take over ${replaced.name} (${replaced.id}): ${(err as Error).message}; nothing was registered`, { cause: err });
    }
  }
  const config: AgentConfig = {
    api,
    projectId,
    agentId: agent.id,
    password: agent.password,
    fingerprint,
    machineId,
    name,
    vaultPassword: options.vaultPassword || randomBytes(32).toString('base64url'),
    rsaPrivateKey: rsa.privateKeyPem,
    ...(options.tasks ? { tasks: options.tasks } : {}),
  };
  await saveAgentConfig(options.configPath, config);
  return { config, replaced };
}
