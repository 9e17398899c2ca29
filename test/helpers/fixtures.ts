import assert from 'node:assert/strict';
import { createPublicKey, randomBytes } from 'node:crypto';
import { newRsaKeyPair } from '../../src/agent/host-identity.js';
import { sealForRsaKey } from '../../src/engine/crypto/rsa-envelope.js';
import type { TestServer } from './test-server.js';

export const PROJECT = '123456';
export const OTHER_PROJECT = '654321';

export type RoleShort = 'admin' | 'creator' | 'observer';

/** Creates a user with one role and returns its token. */
export async function userToken(t: TestServer, role: RoleShort, project = PROJECT): Promise<string> {
  const username = `${role}-${randomBytes(4).toString('hex')}`;
  const created = await t.request('POST', '/admin/users', { body: { username, password: 'password-123', project_id: project, roles: [`cloudbackup:${role}`] } });
  assert.equal(created.status, 201, created.text);
  const login = await t.request('POST', '/v2.0/tokens', { token: null, body: { auth: { passwordCredentials: { username, password: 'password-123' } } } });
  assert.equal(login.status, 200, login.text);
  return login.body.access.token.id;
}

export function agentRegistration(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Web Server',
    version: '1.23.008344',
    host: {
      flavor: 'nova',
      region: 'DFW',
      machine: { id: `machine-${randomBytes(4).toString('hex')}` },
      os: { name: 'Ubuntu', version: '14.04', architecture: '64-bit' },
      fingerprint: `fp-${randomBytes(8).toString('hex')}`,
      addresses: [{ version: 4, addr: '67.23.10.132' }],
    },
    // A real key: secrets (vault keys, passwords) are sealed only for keys of at least 2048 bits.
    rsa_public_key: realRsaPublicKey(),
    vault: { use_internal: true },
    ...overrides,
  };
}

export interface RegisteredAgent {
  id: string;
  password: string;
  fingerprint: string;
  token: string;
  vaultId: string;
}

let realKey: { modulus: string; exponent: number } | undefined;

/** A 2048-bit RSA public key, as `coffer agent register` sends it (generated once per test process). */
export function realRsaPublicKey(): { modulus: string; exponent: number } {
  if (!realKey) {
    const { modulus, exponent } = newRsaKeyPair();
    realKey = { modulus, exponent };
  }
  return realKey;
}

export interface AgentOptions {
  /** The agent logs in saying its owner enabled tasks on the host (off by default, as on a real host). */
  tasks?: boolean;
}

/** Registers an agent with a user's token and logs it in with its own credentials. */
export async function registerAgent(t: TestServer, token: string, project = PROJECT, overrides: Record<string, unknown> = {}, options: AgentOptions = {}): Promise<RegisteredAgent> {
  const registration = agentRegistration(overrides);
  const created = await t.request('POST', `/v2/${project}/agents`, { token, body: registration });
  assert.equal(created.status, 201, created.text);
  const login = await t.request('POST', `/v2/${project}/agents/tokens`, {
    token: null,
    body: {
      id: created.body.id,
      password: created.body.password,
      host: { fingerprint: registration.host.fingerprint, os: registration.host.os },
      ...(options.tasks ? { capabilities: { tasks: true } } : {}),
    },
  });
  assert.equal(login.status, 200, login.text);
  return { id: created.body.id, password: created.body.password, fingerprint: registration.host.fingerprint, token: login.body.token.id, vaultId: created.body.vault.id };
}

export interface World {
  admin: string;
  creator: string;
  observer: string;
  /** A creator of another project. */
  stranger: string;
  agent: RegisteredAgent;
  otherAgent: RegisteredAgent;
}

/** One project with a user of each role and two agents, plus a user of another project. */
export async function buildWorld(t: TestServer, agentOptions: AgentOptions = {}): Promise<World> {
  const [admin, creator, observer, stranger] = await Promise.all([userToken(t, 'admin'), userToken(t, 'creator'), userToken(t, 'observer'), userToken(t, 'creator', OTHER_PROJECT)]);
  const agent = await registerAgent(t, admin, PROJECT, {}, agentOptions);
  const otherAgent = await registerAgent(t, admin, PROJECT, {}, agentOptions);
  return { admin, creator, observer, stranger, agent, otherAgent };
}

export const patchHeaders = { 'content-type': 'application/json-patch+json' };

/**
 * What a real agent does once its vault exists: leaves a master key with the server, sealed under the project's
 * recovery key (the agent-side protocol of src/agent/vault-key-custody.ts). Returns the key deposited.
 */
export async function depositVaultKey(t: TestServer, agent: RegisteredAgent, project = PROJECT): Promise<Buffer> {
  const headers = { 'x-agent-id': agent.id, 'x-project-id': project };
  const info = await t.request('GET', `/vaults/${agent.vaultId}/recovery-key`, { token: agent.token, headers });
  assert.equal(info.status, 200, info.text);
  const masterKey = randomBytes(32);
  const sealed = sealForRsaKey(createPublicKey(info.body.recovery_key.public_key), masterKey).toString('base64');
  const put = await t.request('PUT', `/vaults/${agent.vaultId}/recovery-key`, { token: agent.token, headers, body: { recovery_key_id: info.body.recovery_key.id, sealed_master_key: sealed } });
  assert.equal(put.status, 204, put.text);
  return masterKey;
}
