import fs from 'node:fs';
import autocannon from 'autocannon';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  /** Answers outside 2xx plus connection errors and timeouts: must be 0 for a figure to count. */
  failures: number;
  /** CPU time (user + system) the server processes spent per answered request during the counted window, in µs. */
  serverCpuUsPerRequest?: number;
  /** req/s of each target, in the order given. */
  rpsByTarget: number[];
}

export interface LoadTarget {
  url: string;
  connections: number;
  /** Builds each request. */
  request(): { method: string; path: string; headers: Record<string, string>; body?: string };
}

/** Drives every target at once for `seconds` (after `warmupSeconds` not counted); sums req/s, keeps the worst latencies. */
export async function runLoad(targets: LoadTarget[], seconds: number, warmupSeconds: number, serverPids: number[] = []): Promise<LoadResult> {
  const once = (duration: number) =>
    Promise.all(
      targets.map((target) =>
        autocannon({
          url: target.url,
          connections: target.connections,
          duration,
          requests: [{ setupRequest: () => target.request() }],
        }),
      ),
    );
  if (warmupSeconds > 0) await once(warmupSeconds);
  const cpuBefore = serverPids.map(cpuMs);
  const results = await once(seconds);
  const cpuSpent = serverPids.reduce((sum, pid, i) => sum + cpuMs(pid) - cpuBefore[i]!, 0);
  const answered = results.reduce((sum, r) => sum + r.requests.total, 0);
  return {
    serverCpuUsPerRequest: serverPids.length > 0 && answered > 0 ? (1000 * cpuSpent) / answered : undefined,
    rps: results.reduce((sum, r) => sum + r.requests.total / r.duration, 0),
    rpsByTarget: results.map((r) => r.requests.total / r.duration),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    failures: results.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0),
  };
}

/**
 * CPU time a process has used so far (user + system, from /proc; Linux clock ticks of 10 ms). Unlike req/s, this
 * hardly moves when other work shares the machine, so it is the figure to compare between runs there.
 */
export function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
