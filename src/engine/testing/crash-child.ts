/**
 * Runs one vault operation in a child process so tests can SIGKILL it at any moment.
 * Usage: crash-child.ts '{"op":"backup"|"prune","repo":"…","password":"…","paths":["…"]}'
 */
import { LocalBackend } from '../backend/local-backend.js';
import { openVault } from '../vault/vault.js';

const args = JSON.parse(process.argv[2] ?? '{}') as { op: 'backup' | 'prune'; repo: string; password: string; paths?: string[] };
const vault = await openVault(new LocalBackend(args.repo), args.password);
process.stdout.write('started\n');
if (args.op === 'backup') await vault.backup({ paths: args.paths ?? [] });
else await vault.prune({ policy: { keepLast: 1 } });
process.stdout.write('finished\n');
