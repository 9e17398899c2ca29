import assert from 'node:assert/strict';
import { it } from 'node:test';
import { newRsaKeyPair } from '../../agent/host-identity.js';
import { decryptPasswordHex } from '../../agent/sealed-secrets.js';
import { encryptPasswordForAgent } from './vault-password.js';

it('a password encrypted for an agent by the command line is read back by that agent alone', () => {
  const agent = newRsaKeyPair();
  const other = newRsaKeyPair();
  const hex = encryptPasswordForAgent({ modulus: agent.modulus, exponent: agent.exponent }, 'correct horse battery staple ✓');
  assert.match(hex, /^[0-9a-f]+$/);
  assert.equal(decryptPasswordHex(agent.privateKeyPem, hex), 'correct horse battery staple ✓');
  assert.throws(() => decryptPasswordHex(other.privateKeyPem, hex));
  // The exponent may arrive as decimal text; each encryption is randomised.
  const again = encryptPasswordForAgent({ modulus: agent.modulus, exponent: String(agent.exponent) }, 'correct horse battery staple ✓');
  assert.notEqual(again, hex);
  assert.equal(decryptPasswordHex(agent.privateKeyPem, again), 'correct horse battery staple ✓');
});
