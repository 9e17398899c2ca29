import { createHash, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';

export interface HostFacts {
  os: { name: string; version: string; architecture: string };
  addresses: { version: 4 | 6; addr: string }[];
}

/** The machine's own id (systemd/dbus machine-id) when there is one, else a new UUID kept in the agent config. */
export function readMachineId(): string {
  for (const file of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      const id = fs.readFileSync(file, 'utf8').trim();
      if (/^[0-9a-f]{32}$/.test(id)) return `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`;
    } catch {
      // try the next one
    }
  }
  return randomUUID();
}

/**
 * A fingerprint that identifies this installation: derived from the machine id plus a random salt chosen once at
 * registration, so two hosts cloned from one image still differ once each registers.
 */
export function newFingerprint(machineId: string): string {
  return createHash('sha256')
    .update(`${machineId}:${randomBytes(16).toString('hex')}`)
    .digest('hex');
}

export function hostFacts(): HostFacts {
  const addresses: HostFacts['addresses'] = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const address of list ?? []) {
      if (address.internal) continue;
      addresses.push({ version: address.family === 'IPv6' ? 6 : 4, addr: address.address });
    }
  }
  if (addresses.length === 0) addresses.push({ version: 4, addr: '127.0.0.1' });
  return {
    os: { ...osNameAndVersion(), architecture: os.arch() === 'x64' || os.arch() === 'arm64' ? '64-bit' : '32-bit' },
    addresses,
  };
}

/**
 * The fields of an os-release file (`KEY=value`, values optionally in double or single quotes with backslash
 * escapes), as systemd's os-release(5) describes them.
 */
export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const [, key, raw] = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line) ?? [];
    if (key === undefined || raw === undefined) continue;
    let value = raw.trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    fields[key] = value;
  }
  return fields;
}

/** The distribution's name and version (`Debian GNU/Linux`, `12`) from /etc/os-release; elsewhere the kernel's. */
export function osNameAndVersion(read: (file: string) => string = (file) => fs.readFileSync(file, 'utf8')): { name: string; version: string } {
  for (const file of ['/etc/os-release', '/usr/lib/os-release']) {
    let fields: Record<string, string>;
    try {
      fields = parseOsRelease(read(file));
    } catch {
      continue; // not Linux, or no os-release there
    }
    const name = fields.NAME || fields.ID;
    if (name) return { name, version: fields.VERSION_ID || fields.VERSION || fields.BUILD_ID || '' };
  }
  return { name: os.type(), version: os.release() };
}

/** An RSA key pair: the public half is registered (hex modulus, exponent); the private half stays in the config. */
export function newRsaKeyPair(): { modulus: string; exponent: number; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const modulus = Buffer.from(jwk.n as string, 'base64url')
    .toString('hex')
    .toUpperCase();
  const exponent = Buffer.from(jwk.e as string, 'base64url').readUIntBE(0, Buffer.from(jwk.e as string, 'base64url').length);
  return { modulus, exponent, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}
