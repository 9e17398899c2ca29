import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../../store/store.js';

const SECRET_NAME = 'logfile_temp_url_key';
/** How long a `logfile_temp_url` stays valid after it was handed out. */
export const TEMP_URL_TTL_SECONDS = 3600;

/**
 * Signs download URLs of uploaded log files (Swift-style `temp_url_sig` / `temp_url_expires`). The key lives in
 * the database, created on first use, so every node sharing the database signs and checks alike.
 */
export class TempUrlSigner {
  private key: Buffer | null = null;

  constructor(private readonly store: Store) {}

  private async secret(): Promise<Buffer> {
    if (this.key) return this.key;
    await this.store.db
      .insertInto('server_secrets')
      .values({ name: SECRET_NAME, value: randomBytes(32).toString('hex'), created_at: new Date().toISOString() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await this.store.db.selectFrom('server_secrets').select('value').where('name', '=', SECRET_NAME).executeTakeFirstOrThrow();
    this.key = Buffer.from(row.value, 'hex');
    return this.key;
  }

  private static payload(path: string, expires: number): string {
    return `GET\n${expires}\n${path}`;
  }

  /** `{sig, expires}` for a GET of `path` (the URL path, without query) until now + TTL. */
  async sign(path: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<{ sig: string; expires: number }> {
    const expires = nowSeconds + TEMP_URL_TTL_SECONDS;
    const sig = createHmac('sha256', await this.secret())
      .update(TempUrlSigner.payload(path, expires))
      .digest('hex');
    return { sig, expires };
  }

  async verify(path: string, sig: unknown, expires: unknown, nowSeconds = Math.floor(Date.now() / 1000)): Promise<'ok' | 'invalid' | 'expired'> {
    if (typeof sig !== 'string' || typeof expires !== 'string' || !/^\d{1,12}$/.test(expires) || !/^[0-9a-f]{64}$/.test(sig)) return 'invalid';
    const expected = createHmac('sha256', await this.secret())
      .update(TempUrlSigner.payload(path, Number(expires)))
      .digest();
    if (!timingSafeEqual(expected, Buffer.from(sig, 'hex'))) return 'invalid';
    return Number(expires) < nowSeconds ? 'expired' : 'ok';
  }
}
