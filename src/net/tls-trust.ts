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
    throw new Error(`cannot read the CA file ${caFile}: ${(error as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`${caFile} holds no PEM certificate`);
  setGlobalDispatcher(new Agent({ connect: { ca: [...tls.rootCertificates, pem] } }));
}

const CERTIFICATE_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME|ALTNAME/;

/** A network failure explained in one phrase; a certificate problem says how to trust the server's CA. */
export function describeNetworkFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
  if (CERTIFICATE_CODES.test(reason)) return `${reason}: the server's certificate is not trusted (give its CA certificate with --ca FILE or COFFER_CA_FILE)`;
  return reason;
}
