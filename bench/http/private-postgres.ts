import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface PrivatePostgres {
  url: string;
  stop(): void;
}

/** A throwaway PostgreSQL server started exactly as CI does (.ci/postgres.sh): temp dir, 127.0.0.1, free port. */
export function startPrivatePostgres(): PrivatePostgres {
  const out = execFileSync('bash', ['-c', 'source .ci/postgres.sh && start_postgres >&2 && echo "$TEST_DATABASE_URL $PG_DIR"'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [url, dir] = out.trim().split(' ');
  let stopped = false;
  return {
    url: url!,
    stop() {
      if (stopped) return;
      stopped = true;
      execFileSync('bash', ['-c', 'source .ci/postgres.sh && PG_DIR="$1" && stop_postgres >&2', 'stop', dir!], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    },
  };
}
