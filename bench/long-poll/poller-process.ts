// A share of the fleet's agents, each polling its own event stream the way src/agent/event-poller.ts does:
// GET /v2/{project}/agents/{id}/events?sort_dir=asc&limit=100&marker=<last event handled>, with its own token, and
// again as soon as the answer is in. One keep-alive socket per agent (one request in flight each), from its own
// 127.0.0.x address. Started by fleet.ts with `fork`; talks to it over IPC:
//   in:  { agents, url, project, localAddress }, then 'stats' as often as wanted; it exits when the IPC channel closes
//   out: 'ready' once every agent has read its backlog and is holding a poll; { woken } for each start request
//        received (with the wall-clock time it arrived); { stats } when asked with 'stats' (with the count of
//        project-wide agent_activate events received).
import http from 'node:http';

export interface PollerSetup {
  agents: { id: string; token: string }[];
  url: string;
  project: string;
  localAddress: string;
}

export interface PollerStats {
  /** Polls sent and not yet answered. */
  open: number;
  answered: number;
  failures: number;
  lastFailure: string;
  /** Agents that received a project-wide `agent_activate`, and when the last of them did (epoch ms). */
  activated: number;
  lastActivatedAt: number;
}

export type PollerMessage = { ready: true } | { woken: { agentId: string; at: number; jobId: string } } | { stats: PollerStats };

/** Events that mean "work for this agent": what fleet.ts creates to wake one. */
const WORK_EVENTS = new Set(['backup_start_request', 'backup_queued']);
const now = () => performance.timeOrigin + performance.now();
const send = (message: PollerMessage) => process.send!(message);

const stats: PollerStats = { open: 0, answered: 0, failures: 0, lastFailure: '', activated: 0, lastActivatedAt: 0 };

function poll(setup: PollerSetup, agent: { id: string; token: string }, keepAlive: http.Agent, marker: string): Promise<{ events: { id: string; event: string; backup?: { id: string } }[] }> {
  const target = new URL(setup.url);
  const query = `sort_dir=asc&limit=100${marker ? `&marker=${marker}` : ''}`;
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: `/v2/${setup.project}/agents/${agent.id}/events?${query}`,
        headers: { 'x-auth-token': agent.token },
        agent: keepAlive,
        localAddress: setup.localAddress,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          if (response.statusCode !== 200) return reject(new Error(`HTTP ${response.statusCode}: ${body.slice(0, 200)}`));
          try {
            resolve(JSON.parse(body));
          } catch (error) {
            reject(error);
          }
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end();
  });
}

async function pollLoop(setup: PollerSetup, agent: { id: string; token: string }, keepAlive: http.Agent, settled: () => void): Promise<void> {
  let marker = '';
  let first = true;
  for (;;) {
    stats.open++;
    const asked = Date.now();
    try {
      const { events } = await poll(setup, agent, keepAlive, marker);
      const at = now();
      stats.answered++;
      for (const event of events) {
        if (WORK_EVENTS.has(event.event)) send({ woken: { agentId: agent.id, at, jobId: event.backup?.id ?? '' } });
        if (event.event === 'agent_activate') {
          stats.activated++;
          stats.lastActivatedAt = at;
        }
      }
      if (events.length > 0) marker = events[events.length - 1]!.id;
      // The agent's own first answers (its backlog, then the heartbeat its first request appends) come at once;
      // it counts as holding a poll once an answer came back empty or it has read past those.
      if (first && (events.length === 0 || events.every((event) => event.event === 'agent_heartbeat'))) {
        first = false;
        settled();
      }
      if (events.length === 0 && Date.now() - asked < 200) await new Promise((resolve) => setTimeout(resolve, 1000));
    } catch (error) {
      stats.failures++;
      stats.lastFailure = (error as Error).message;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    } finally {
      stats.open--;
    }
  }
}

// The benchmark went away (finished or killed): so do its pollers.
process.on('disconnect', () => process.exit(0));
process.on('message', (message: PollerSetup | 'stats') => {
  if (message === 'stats') return send({ stats });
  const setup = message;
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: setup.agents.length });
  let unsettled = setup.agents.length;
  const settled = () => {
    if (--unsettled === 0) send({ ready: true });
  };
  for (const agent of setup.agents) void pollLoop(setup, agent, keepAlive, settled);
});
