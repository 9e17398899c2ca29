import autocannon from 'autocannon';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  /** Answers outside 2xx plus connection errors and timeouts: must be 0 for a figure to count. */
  failures: number;
}

export interface LoadTarget {
  url: string;
  connections: number;
  /** Builds each request. */
  request(): { method: string; path: string; headers: Record<string, string>; body?: string };
}

/** Drives every target at once for `seconds` (after `warmupSeconds` not counted); sums req/s, keeps the worst latencies. */
export async function runLoad(targets: LoadTarget[], seconds: number, warmupSeconds: number): Promise<LoadResult> {
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
  const results = await once(seconds);
  return {
    rps: results.reduce((sum, r) => sum + r.requests.total / r.duration, 0),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    failures: results.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0),
  };
}
