/**
 * What `coffer server backup` writes into its folder, and what `coffer server restore` expects there. The manifest
 * is written last: a folder without one holds an interrupted backup.
 */
export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'coffer-server-backup/1';
export const DATABASE_FILE = 'coffer.db';
/** Folders of the data folder copied as they are: vault files of local storage, and agents' uploaded log files. */
export const DATA_FOLDERS = ['vaults', 'logfiles'] as const;
/** Secret files kept beside the data (the TLS key pair the server serves HTTPS with), mode 0600. */
export const SECRETS_FOLDER = 'secrets';
export const TLS_CERT_FILE = 'tls-cert.pem';
export const TLS_KEY_FILE = 'tls-key.pem';

export interface ServerBackupManifest {
  format: typeof MANIFEST_FORMAT;
  created_at: string;
  /** The SQLite database copy, or null when the server uses PostgreSQL (pg_dump keeps that; see the docs). */
  database: { file: string; bytes: number; sha256: string } | null;
  folders: Record<string, { files: number; bytes: number }>;
  secrets: string[];
}
