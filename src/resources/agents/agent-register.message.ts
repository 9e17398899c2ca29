import { BodyCheck } from '../common/body-check.js';
import { KEY_CUSTODIES, type AgentHost, type KeyCustody } from './agent.js';

export const HOST_FLAVORS = ['nova', 'rackspace_dedicated', 'rackspace_private_cloud'] as const;

export interface AgentRegisterMessage {
  name: string;
  version: string;
  host: AgentHost;
  fingerprint: string;
  rsaPublicKey: { modulus: string; exponent: number | string };
  useInternal: boolean;
  keyCustody: KeyCustody;
}

function addresses(check: BodyCheck): AgentHost['addresses'] {
  const list = check.array('host.addresses', { required: true }) ?? [];
  return list.flatMap((item, index) => {
    const entry = item as Record<string, unknown> | null;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      check.problem(`host.addresses[${index}] must be an object.`);
      return [];
    }
    if (entry.version !== 4 && entry.version !== 6) check.problem(`host.addresses[${index}].version must be 4 or 6.`);
    if (typeof entry.addr !== 'string' || entry.addr === '') check.problem(`host.addresses[${index}].addr must be a non-empty string.`);
    return [{ version: entry.version as number, addr: entry.addr as string }];
  });
}

export function parseAgentRegister(body: unknown): AgentRegisterMessage {
  const check = BodyCheck.object(body);
  const name = check.string('name', { required: true, nonEmpty: true, maxLength: 255 });
  const version = check.string('version', { required: true, nonEmpty: true, maxLength: 64 });
  check.object('host', { required: true });
  const flavor = check.oneOf('host.flavor', HOST_FLAVORS, { required: true });
  const region = check.string('host.region', { nullable: true, maxLength: 64 }) ?? null;
  if (flavor && flavor !== 'nova' && !region) check.problem(`host.region is required for flavor ${flavor}.`);
  const machineId = check.string('host.machine.id', { required: true, nonEmpty: true, maxLength: 255 });
  const os = {
    name: check.string('host.os.name', { required: true }) ?? '',
    version: check.string('host.os.version', { required: true }) ?? '',
    architecture: check.string('host.os.architecture', { required: true }) ?? '',
  };
  const fingerprint = check.string('host.fingerprint', { required: true, nonEmpty: true, maxLength: 1024 });
  const hostAddresses = addresses(check);
  const modulus = check.string('rsa_public_key.modulus', { required: true, nonEmpty: true, maxLength: 8192 });
  const exponent = check.get('rsa_public_key.exponent');
  if (exponent === undefined) check.problem('rsa_public_key.exponent is required.');
  else if (typeof exponent !== 'number' && typeof exponent !== 'string') check.problem('rsa_public_key.exponent must be a number or a string.');
  check.object('vault');
  const useInternal = check.boolean('vault.use_internal');
  const keyCustody = check.oneOf('vault.key_custody', KEY_CUSTODIES);
  check.done();
  return {
    name: name as string,
    version: version as string,
    host: { flavor: flavor as string, region, machine: { id: machineId as string }, os, addresses: hostAddresses },
    fingerprint: fingerprint as string,
    rsaPublicKey: { modulus: modulus as string, exponent: exponent as number | string },
    // Defaults per flavor, as the reference gives them.
    useInternal: useInternal ?? flavor !== 'rackspace_dedicated',
    keyCustody: keyCustody ?? 'server',
  };
}
