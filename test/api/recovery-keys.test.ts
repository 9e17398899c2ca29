import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { newRsaKeyPair } from '../../src/agent/host-identity.js';
import { openSealedKeyHex } from '../../src/agent/sealed-secrets.js';
import { sealForRsaKey } from '../../src/engine/crypto/rsa-envelope.js';
import { buildWorld, depositVaultKey, patchHeaders, PROJECT, registerAgent, type RegisteredAgent, type World } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let t: TestServer;
let w: World;

before(async () => {
  t = await startTestServer();
  w = await buildWorld(t);
});
after(async () => t.close());

const asAgent = (agent: RegisteredAgent) => ({ token: agent.token, headers: { 'x-agent-id': agent.id, 'x-project-id': PROJECT } });
const db = () => t.server.ctx.store.db;

/** An agent whose private key the test holds, to read what the server seals for it. */
async function agentWithKey(): Promise<RegisteredAgent & { privateKeyPem: string }> {
  const pair = newRsaKeyPair();
  const agent = await registerAgent(t, w.admin, PROJECT, { rsa_public_key: { modulus: pair.modulus, exponent: pair.exponent } });
  return { ...agent, privateKeyPem: pair.privateKeyPem };
}

async function completedBackupOf(agent: RegisteredAgent): Promise<string> {
  const config = await t.request('POST', `/v2/${PROJECT}/configurations`, {
    token: w.creator,
    body: {
      agent_id: agent.id,
      name: 'Web',
      enabled: true,
      schedule: null,
      retention: { days: 0 },
      inclusions: [{ type: 'folder', path: '/web/' }],
      exclusions: [],
      notifications: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }],
    },
  });
  assert.equal(config.status, 201, config.text);
  const started = await t.request('POST', `/v2/${PROJECT}/backups`, { token: w.creator, body: { configuration_id: config.body.id, state: 'start_requested' } });
  const report = [
    { op: 'replace', path: '/state', value: 'completed' },
    { op: 'add', path: '/snapshot_id', value: 1 },
  ];
  const patched = await t.request('PATCH', `/v2/${PROJECT}/backups/${started.body.id}`, { token: agent.token, raw: JSON.stringify(report), headers: patchHeaders });
  assert.equal(patched.status, 204, patched.text);
  return started.body.id;
}

const startRestore = (backupId: string, destination: string, password: string | null = null) =>
  t.request('POST', `/v2/${PROJECT}/restores`, { token: w.creator, body: { backup_id: backupId, destination_agent_id: destination, destination_path: '/tmp/r', encrypted_password_hex: password } });

describe('recovery keys: deposit', () => {
  it('the owning agent reads the project key and deposits its vault key; bad deposits are refused; others cannot', async () => {
    const agent = await registerAgent(t, w.admin);
    const info = await t.request('GET', `/vaults/${agent.vaultId}/recovery-key`, asAgent(agent));
    assert.equal(info.status, 200, info.text);
    assert.equal(info.body.key_custody, 'server');
    assert.equal(info.body.deposited, false);
    assert.equal(info.body.recovery_key.algorithm, 'RSA-OAEP-256');
    assert.equal(createPublicKey(info.body.recovery_key.public_key).asymmetricKeyDetails?.modulusLength, 3072);
    const put = (body: unknown) => t.request('PUT', `/vaults/${agent.vaultId}/recovery-key`, { ...asAgent(agent), body });
    const id = info.body.recovery_key.id;
    assert.equal((await put({ recovery_key_id: id, sealed_master_key: 'not base64!' })).status, 400);
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const sealedElsewhere = await put({ recovery_key_id: id, sealed_master_key: sealForRsaKey(otherKey, randomBytes(32)).toString('base64') });
    assert.equal(sealedElsewhere.status, 400);
    assert.match(sealedElsewhere.body.errors[0], /does not open with the project recovery key/);
    const projectKey = createPublicKey(info.body.recovery_key.public_key);
    const shortKey = await put({ recovery_key_id: id, sealed_master_key: sealForRsaKey(projectKey, randomBytes(16)).toString('base64') });
    assert.equal(shortKey.status, 400);
    assert.equal((await put({ recovery_key_id: 'another', sealed_master_key: sealForRsaKey(projectKey, randomBytes(32)).toString('base64') })).status, 409);
    assert.equal((await db().selectFrom('vault_recovery_keys').select('vault_id').where('vault_id', '=', agent.vaultId).execute()).length, 0, 'nothing stored by refusals');

    await depositVaultKey(t, agent);
    assert.equal((await t.request('GET', `/vaults/${agent.vaultId}/recovery-key`, asAgent(agent))).body.deposited, true);
    // Nobody but the owner: another agent (404), a user even admin (403), another project (404), no token (401).
    assert.equal((await t.request('GET', `/vaults/${agent.vaultId}/recovery-key`, asAgent(w.otherAgent))).status, 404);
    assert.equal((await t.request('PUT', `/vaults/${agent.vaultId}/recovery-key`, { ...asAgent(w.otherAgent), body: { recovery_key_id: id, sealed_master_key: 'AAAA' } })).status, 404);
    assert.equal((await t.request('GET', `/vaults/${agent.vaultId}/recovery-key`, { token: w.admin })).status, 403);
    assert.equal((await t.request('GET', `/vaults/${agent.vaultId}/master-key`, { token: w.admin })).status, 404);
    assert.equal((await t.request('GET', `/vaults/${agent.vaultId}/recovery-key`, { token: w.stranger })).status, 404);
    assert.equal((await t.request('GET', `/vaults/${agent.vaultId}/recovery-key`, { token: null })).status, 401);
  });

  it('a private agent deposits nothing; enabling encryption makes an agent private and drops the server copy at once', async () => {
    const privateAgent = await registerAgent(t, w.admin, PROJECT, { vault: { use_internal: true, key_custody: 'private' } });
    const info = await t.request('GET', `/vaults/${privateAgent.vaultId}/recovery-key`, asAgent(privateAgent));
    assert.deepEqual(info.body, { key_custody: 'private', recovery_key: null, deposited: false });
    assert.equal((await t.request('GET', `/v2/${PROJECT}/agents/${privateAgent.id}`, { token: w.observer })).body.vault.key_custody, 'private');

    const agent = await agentWithKey();
    const projectKey = (await t.request('GET', `/vaults/${agent.vaultId}/recovery-key`, asAgent(agent))).body.recovery_key;
    await depositVaultKey(t, agent);
    const asked = await t.request('POST', `/v2/${PROJECT}/agents/${agent.id}/vault-encryption-requests`, {
      token: w.creator,
      body: { old_encrypted_password_hex: null, new_encrypted_password_hex: 'ab' },
    });
    assert.equal(asked.status, 202, asked.text);
    const requestPath = new URL(asked.headers.get('location')!).pathname;
    assert.equal((await t.request('POST', requestPath, { ...asAgent(agent), body: { action: 'enabled', succeeded: true } })).status, 204);
    const after = (await t.request('GET', `/v2/${PROJECT}/agents/${agent.id}`, { token: w.observer })).body;
    assert.equal(after.vault.key_custody, 'private');
    assert.equal(after.vault.encrypted, true);
    assert.equal((await t.request('GET', `/vaults/${agent.vaultId}/master-key`, asAgent(agent))).status, 404, 'the copy is gone');
    const late = await t.request('PUT', `/vaults/${agent.vaultId}/recovery-key`, {
      ...asAgent(agent),
      body: { recovery_key_id: projectKey.id, sealed_master_key: sealForRsaKey(createPublicKey(projectKey.public_key), randomBytes(32)).toString('base64') },
    });
    assert.equal(late.status, 409, 'a deposit after the switch is refused');
    assert.equal((await db().selectFrom('vault_recovery_keys').select('vault_id').where('vault_id', '=', agent.vaultId).execute()).length, 0);
  });
});

describe('recovery keys: restores across agents', () => {
  it('the destination of a running restore gets the key sealed for it and reads (never writes) the vault, only while the restore runs', async () => {
    const source = await agentWithKey();
    const masterKey = await depositVaultKey(t, source);
    const own = await t.request('GET', `/vaults/${source.vaultId}/master-key`, asAgent(source));
    assert.equal(own.status, 200, own.text);
    assert.deepEqual(openSealedKeyHex(source.privateKeyPem, own.body.sealed_master_key_hex), masterKey);

    const destination = await agentWithKey();
    const backup = await completedBackupOf(source);
    assert.equal((await t.request('GET', `/vaults/${source.vaultId}/master-key`, asAgent(destination))).status, 404, 'no restore, no key');
    assert.equal((await t.request('GET', `/vaults/${source.vaultId}/files?prefix=`, asAgent(destination))).status, 404);

    const restore = await startRestore(backup, destination.id);
    assert.equal(restore.status, 201, restore.text);
    const handed = await t.request('GET', `/vaults/${source.vaultId}/master-key`, asAgent(destination));
    assert.equal(handed.status, 200, handed.text);
    assert.deepEqual(openSealedKeyHex(destination.privateKeyPem, handed.body.sealed_master_key_hex), masterKey);
    assert.throws(() => openSealedKeyHex(source.privateKeyPem, handed.body.sealed_master_key_hex), 'sealed for the destination alone');
    assert.equal((await t.request('GET', `/vaults/${source.vaultId}/files?prefix=`, asAgent(destination))).status, 200);
    const write = await t.request('PUT', `/vaults/${source.vaultId}/files/keys/${'a'.repeat(64)}`, { ...asAgent(destination), raw: 'x', contentType: 'application/octet-stream' });
    assert.equal(write.status, 404, 'read-only');
    assert.equal((await t.request('GET', `/vaults/${source.vaultId}/master-key`, asAgent(w.otherAgent))).status, 404, "only that restore's agent");

    const ended = [{ op: 'replace', path: '/state', value: 'failed' }];
    assert.equal((await t.request('PATCH', `/v2/${PROJECT}/restores/${restore.body.id}`, { token: destination.token, raw: JSON.stringify(ended), headers: patchHeaders })).status, 204);
    assert.equal((await t.request('GET', `/vaults/${source.vaultId}/master-key`, asAgent(destination))).status, 404, 'the grant ends with the restore');
    assert.equal((await t.request('GET', `/vaults/${source.vaultId}/files?prefix=`, asAgent(destination))).status, 404);
  });

  it('409 before anything is created: a private vault without password, a vault whose key the server lacks, a destination key under 2048 bits', async () => {
    const count = async () => (await db().selectFrom('jobs').select('id').where('kind', '=', 'restore').execute()).length;
    const destination = await agentWithKey();
    const noKey = await registerAgent(t, w.admin);
    const before = await count();
    const withoutKey = await startRestore(await completedBackupOf(noKey), destination.id);
    assert.equal(withoutKey.status, 409);
    assert.match(withoutKey.body.message, /server holds no key/);

    const privateAgent = await registerAgent(t, w.admin, PROJECT, { vault: { use_internal: true, key_custody: 'private' } });
    const privateBackup = await completedBackupOf(privateAgent);
    const refused = await startRestore(privateBackup, destination.id);
    assert.equal(refused.status, 409);
    assert.match(refused.body.message, /private and has no vault password/);
    assert.equal((await startRestore(privateBackup, privateAgent.id)).status, 201, 'its own agent still can');

    const source = await registerAgent(t, w.admin);
    await depositVaultKey(t, source);
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const weakAgent = await registerAgent(t, w.admin, PROJECT, { rsa_public_key: { modulus: Buffer.from(weak.n!, 'base64url').toString('hex'), exponent: 65537 } });
    const tooWeak = await startRestore(await completedBackupOf(source), weakAgent.id);
    assert.equal(tooWeak.status, 409);
    assert.match(tooWeak.body.message, /1024-bit RSA key/);
    assert.equal(await count(), before + 1);
  });
});
