import fs from 'node:fs';
import tls from 'node:tls';
import { Agent, setGlobalDispatcher } from 'undici';

/**
 * Makes every `fetch` of this process (the CLI's and the agent's) trust the CA certificates in the PEM file
 * `caFile` as well as the system's, for a server whose certificate a private CA signed. Certificates are always
 * verified; this only adds trust anchors.
 */
export function trustCaFile(caFile: string): void {
  let pem: string;
  try {
    pem = fs.readFileSync(caFile, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the CA file ${caFile}: ${(error as Error).message}`, { cause: error });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`${caFile} holds no PEM certificate`);
  setGlobalDispatcher(new Agent({ connect: { ca: [...tls.rootCertificates, pem] } }));
}
