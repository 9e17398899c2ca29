/** Error codes of TLS certificate checks (self-signed, unknown issuer, name mismatch, …). */
const CERTIFICATE_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME|ALTNAME/;

/** A network failure explained in one phrase; a certificate problem says how to trust the server's CA. */
export function describeNetworkFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
  if (CERTIFICATE_CODES.test(reason)) return `${reason}: the server's certificate is not trusted (give its CA certificate with --ca FILE or COFFER_CA_FILE)`;
  return reason;
}
