import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildWorld, patchHeaders, PROJECT, registerAgent, type RegisteredAgent, type World } from '../helpers/fixtures.js';

/*
 * A vault password is sent to an agent sealed for the RSA key it registered. Registration still takes any key (the
 * Rackspace documentation's own example is 32 bits), but no password is ever sealed for a key under 2048 bits: vault
 * encryption, password verification and browsing an encrypted backup for such an agent are refused with 409 and a
 * reason, and nothing is stored or sent to the agent.
 */

let t: TestServer;
let w: World;
// Filled in by before().
const weak = {} as Record<'32-bit' | '1024-bit', RegisteredAgent>;
const password = 'ab'.repeat(256);

function rsaKeyOf(bits: number): { modulus: string; exponent: number } {
  const jwk = generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ format: 'jwk' });
  return { modulus: Buffer.from(jwk.n!, 'base64url').toString('hex'), exponent: 65537 };
}

before(async () => {
  t = await startTestServer();
  w = await buildWorld(t);
  // The documentation's example key (0xE14F9A88, 32 bits) and a real but short one.
  weak['32-bit'] = await registerAgent(t, w.admin, PROJECT, { rsa_public_key: { modulus: 'E14F9A88', exponent: 10001 } });
  weak['1024-bit'] = await registerAgent(t, w.admin, PROJECT, { rsa_public_key: rsaKeyOf(1024) });
});
after(async () => t.close());

async function sentToAgent(agentId: string): Promise<{ requests: number; events: string[] }> {
  const db = t.server.ctx.store.db;
  const requests = await db.selectFrom('agent_requests').select('id').where('agent_id', '=', agentId).execute();
  const events = await db.selectFrom('events').select('name').where('agent_id', '=', agentId).execute();
  return { requests: requests.length, events: events.map((e) => e.name).filter((name) => /vault|browse/.test(name)) };
}

describe('agents registered with an RSA key under 2048 bits', { timeout: 60_000 }, () => {
  it('vault encryption is refused with 409 and the key size; nothing is stored or sent', async () => {
    for (const [bits, agent] of Object.entries(weak)) {
      const res = await t.request('POST', `/v2/${PROJECT}/agents/${agent.id}/vault-encryption-requests`, {
        token: w.creator,
        body: { old_encrypted_password_hex: null, new_encrypted_password_hex: password },
      });
      assert.equal(res.status, 409, `${bits}: ${res.text}`);
      assert.match(res.body.message, new RegExp(`registered a ${bits} RSA key; secrets are sealed only for keys of at least 2048 bits`));
      assert.deepEqual(await sentToAgent(agent.id), { requests: 0, events: [] }, bits);
      const row = await t.server.ctx.store.db.selectFrom('agents').select('vault_encrypted').where('id', '=', agent.id).executeTakeFirstOrThrow();
      assert.equal(Number(row.vault_encrypted), 0);
    }
    // The same request for an agent with a real key goes through.
    const strong = await t.request('POST', `/v2/${PROJECT}/agents/${w.agent.id}/vault-encryption-requests`, {
      token: w.creator,
      body: { old_encrypted_password_hex: null, new_encrypted_password_hex: password },
    });
    assert.equal(strong.status, 202, strong.text);
  });

  it('password verification is refused with 409 for a weak checking agent, on its own vault or another', async () => {
    const db = t.server.ctx.store.db;
    await db.updateTable('agents').set({ vault_encrypted: 1 }).where('id', 'in', [weak['1024-bit'].id, w.otherAgent.id]).execute();
    for (const target of [null, w.otherAgent.id]) {
      const res = await t.request('POST', `/v2/${PROJECT}/agents/${weak['1024-bit'].id}/vault-password-verification-requests`, {
        token: w.observer,
        body: { encrypted_password_hex: password, agent_id: target },
      });
      assert.equal(res.status, 409, res.text);
      assert.match(res.body.message, /1024-bit RSA key/);
    }
    assert.deepEqual(await sentToAgent(weak['1024-bit'].id), { requests: 0, events: [] });
    const strong = await t.request('POST', `/v2/${PROJECT}/agents/${w.otherAgent.id}/vault-password-verification-requests`, {
      token: w.observer,
      body: { encrypted_password_hex: password, agent_id: null },
    });
    assert.equal(strong.status, 202, strong.text);
  });

  it('browsing an encrypted backup through a weak agent is refused with 409; without a password it is asked', async () => {
    const configuration = await t.request('POST', `/v2/${PROJECT}/configurations`, {
      token: w.creator,
      body: {
        agent_id: weak['32-bit'].id,
        name: 'Web',
        enabled: true,
        schedule: null,
        retention: { days: 30 },
        inclusions: [{ type: 'folder', path: '/web/' }],
        exclusions: [],
        notifications: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }],
      },
    });
    assert.equal(configuration.status, 201, configuration.text);
    const backup = await t.request('POST', `/v2/${PROJECT}/backups`, { token: w.creator, body: { configuration_id: configuration.body.id, state: 'start_requested' } });
    assert.equal(backup.status, 201, backup.text);
    const report = [
      { op: 'replace', path: '/state', value: 'completed' },
      { op: 'add', path: '/ended_time', value: new Date().toISOString() },
      { op: 'add', path: '/snapshot_id', value: 7 },
    ];
    const done = await t.request('PATCH', `/v2/${PROJECT}/backups/${backup.body.id}`, { token: weak['32-bit'].token, raw: JSON.stringify(report), headers: patchHeaders });
    assert.equal(done.status, 204, done.text);
    const browse = (hex: string | null) =>
      t.request('POST', `/v2/${PROJECT}/backups/${backup.body.id}/browse-requests`, { token: w.observer, body: { agent_id: weak['32-bit'].id, encrypted_password_hex: hex, path: '/web/' } });
    const refused = await browse(password);
    assert.equal(refused.status, 409, refused.text);
    assert.match(refused.body.message, /32-bit RSA key/);
    assert.deepEqual(await sentToAgent(weak['32-bit'].id), { requests: 0, events: [] });
    assert.equal((await browse(null)).status, 202, 'no secret, nothing to seal');
  });
});
