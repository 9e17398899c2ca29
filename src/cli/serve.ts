import type { Command } from 'commander';
import { loadServerConfig } from '../config.js';
import { createFirstAdmin } from '../resources/identity/user-create.action.js';
import { randomSecret } from '../resources/identity/password.js';
import { startServer } from '../server/server.js';
import { EMAIL_DISABLED_REASON } from '../resources/notifications/email-sender.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the API server (SQLite under ./data by default; DATABASE_URL=postgres://… for PostgreSQL)')
    .option('--port <port>', 'port to listen on (env PORT, default 8080)')
    .option('--host <host>', 'address to listen on (env HOST, default 127.0.0.1)')
    .option('--data-dir <dir>', 'where the database, vaults and log files live (env COFFER_DATA_DIR, default ./data)')
    .addHelpText('after', '\nExample:\n  PORT=9090 coffer serve --data-dir /var/lib/coffer\n')
    .action(async (options: { port?: string; host?: string; dataDir?: string }) => {
      const env = { ...process.env };
      if (options.port) env.PORT = options.port;
      if (options.host) env.HOST = options.host;
      if (options.dataDir) env.COFFER_DATA_DIR = options.dataDir;
      const config = loadServerConfig(env);
      const server = await startServer(config);
      const out = (line = '') => process.stdout.write(`${line}\n`);
      out(`Coffer is listening on ${server.url}`);
      out(`  database: ${config.databaseUrl ? 'PostgreSQL' : `SQLite at ${config.dataDir}/coffer.db`}`);
      out(`  API docs: ${server.url}/docs   web console: ${server.url}/console`);
      out(config.smtpUrl ? `  e-mail: notifications are sent from ${config.mailFrom}` : `  e-mail: ${EMAIL_DISABLED_REASON}`);
      if (config.adminToken) {
        out('  COFFER_ADMIN_TOKEN is accepted as a global admin token.');
      } else {
        const password = randomSecret(18);
        if (await createFirstAdmin(server.ctx, password)) {
          out('');
          out('First start: created the user "admin" with this password (shown only once):');
          out(`  ${password}`);
        }
      }
      out('');
      out('Get a token:');
      out(`  curl -s ${server.url}/v2.0/tokens -H 'Content-Type: application/json' \\`);
      out(`    -d '{"auth":{"passwordCredentials":{"username":"admin","password":"<password>"}}}'`);
      const stop = async (signal: string) => {
        process.stdout.write(`\n${signal}: stopping\n`);
        await server.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });
}
