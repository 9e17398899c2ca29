import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { saveAgentConfig, type AgentConfig } from './agent-config.js';
import { describeNetworkFailure } from '../net/network-failure.js';
import { taskSettingsProblems, type TaskSettings } from './jobs/task-policy.js';
import { ApiError, serverMessageOf } from './api-error.js';
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
  /** What tasks may do on this host; tasks stay off when absent. */
  tasks?: TaskSettings;
}

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<any> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  } catch (error) {
    throw new Error(`cannot reach ${new URL(url).origin}: ${describeNetworkFailure(error)}`);
  }
  const text = await response.text();
  if (!response.ok) throw new ApiError(response.status, 'POST', url, serverMessageOf(text));
  return JSON.parse(text);
}

/**
 * Registers this host once: logs in as the user, `POST /v2/{project}/agents` with a stable machine id, a new
 * fingerprint and RSA key, and keeps the agent's id and password, the fingerprint and a new vault password in the
 * config file (mode 0600). The vault password never leaves this host.
 */
export async function registerThisHost(options: RegisterOptions): Promise<AgentConfig> {
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
  const agent = await postJson(
    `${api}/v2/${encodeURIComponent(projectId)}/agents`,
    {
      name,
      version: AGENT_VERSION,
      host: { flavor: 'nova', region: null, machine: { id: machineId }, os: facts.os, fingerprint, addresses: facts.addresses },
      rsa_public_key: { modulus: rsa.modulus, exponent: rsa.exponent },
      vault: { use_internal: true },
    },
    { 'x-auth-token': userToken },
  );
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
  return config;
}
