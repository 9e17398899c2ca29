// What holding many agents' long polls costs the server while nothing happens: CPU of the server process over a
// quiet window with N agents polling, beside the same server over the same window with no poll open.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { call, inParallel, registerAgentOver, spawnServer } from '../../test/e2e/multi-node-server-process.js';

const PROJECT = '990002';
const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU seconds the process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the command name.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

async function cpuPercentOver(pid: number, seconds: number): Promise<number> {
  const start = cpuSeconds(pid);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return (100 * (cpuSeconds(pid) - start)) / seconds;
}

export async function runLongPollIdleBench(agents = Number(process.env.BENCH_POLLING_AGENTS ?? 500), windowSeconds = 10): Promise<void> {
  process.stdout.write(`\nIdle long polls: ${agents} agents each holding GET …/agents/{id}/events open, ${windowSeconds} s quiet window\n`);
  const adminToken = `bench-${randomBytes(8).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-bench-poll-'));
  const server = await spawnServer({ COFFER_DATA_DIR: dataDir, COFFER_ADMIN_TOKEN: adminToken, DATABASE_URL: '', COFFER_MAX_LONG_POLL_SECONDS: '120' });
  const stop = new AbortController();
  try {
    const pid = server.child.pid!;
    const user = await call(server.url, 'POST', '/admin/users', adminToken, { username: 'bench', password: 'bench-password', project_id: PROJECT, roles: ['cloudbackup:admin'] });
    if (user.status !== 201) throw new Error(`user: ${user.text}`);
    process.stdout.write(`  registering ${agents} agents …`);
    const registered = await inParallel(Array.from({ length: agents }), 8, () => registerAgentOver(server.url, PROJECT, adminToken));
    process.stdout.write(' done\n');

    await new Promise((resolve) => setTimeout(resolve, 2000));
    const baseline = await cpuPercentOver(pid, windowSeconds);

    let wakeUps = 0;
    let open = 0;
    const pollLoop = async (agent: { id: string; token: string }) => {
      let marker = '';
      while (!stop.signal.aborted) {
        const query = `sort_dir=asc&wait=120${marker ? `&marker=${marker}` : ''}`;
        open++;
        try {
          const response = await fetch(`${server.url}/v2/${PROJECT}/agents/${agent.id}/events?${query}`, { headers: { 'x-auth-token': agent.token }, signal: stop.signal });
          const body = (await response.json()) as { events?: { id: string }[] };
          const events = body.events ?? [];
          if (events.length > 0) marker = events[events.length - 1]!.id;
        } catch {
          return;
        } finally {
          open--;
        }
        wakeUps++;
      }
    };
    const loops = registered.map((agent) => pollLoop(agent));
    // Let every poll read what is already there (registration and first heartbeat events) and settle into waiting.
    for (let settled = 0, last = -1; settled < 30 && last !== wakeUps; settled += 2) {
      last = wakeUps;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    const wakeUpsBefore = wakeUps;
    const polling = await cpuPercentOver(pid, windowSeconds);
    const quietWakeUps = wakeUps - wakeUpsBefore;
    const openNow = open;

    process.stdout.write(
      [
        '',
        `| server process, ${windowSeconds} s quiet window | CPU % of one core |`,
        '|---|---:|',
        `| no poll open (baseline) | ${baseline.toFixed(2)} |`,
        `| ${openNow} long polls open | ${polling.toFixed(2)} |`,
        '',
        `  extra CPU for ${openNow} held polls: ${(polling - baseline).toFixed(2)} % of one core (target < 1 %: ${polling - baseline < 1 ? 'met' : 'NOT met'}); polls answered during the window: ${quietWakeUps}`,
        '',
      ].join('\n'),
    );
    stop.abort();
    await Promise.allSettled(loops);
  } finally {
    stop.abort();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  await runLongPollIdleBench();
}
