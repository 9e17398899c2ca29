import { BENCH_ADMIN_TOKEN, BENCH_PROJECT, type CofferNodes } from './coffer-nodes.js';
import type { LoadTarget } from './load.js';

export const CONNECTIONS = 50;
/** Cleanups reported on: four per connection (and more than the 100 of a list page). */
export const CLEANUPS = CONNECTIONS * 4;

/**
 * Progress reports with a new value every time, so that every PATCH changes the job and commits. Requests go round
 * the cleanups (four per connection), so two requests in flight rarely report on the same one. (autocannon resets
 * its per-connection context after every request when the request list has one entry: the state lives here.)
 */
export function patchTargets(nodes: CofferNodes, connections = CONNECTIONS): LoadTarget[] {
  let sent = 0;
  const perNode = connections / nodes.urls.length;
  return nodes.urls.map((url) => ({
    url,
    connections: perNode,
    request() {
      sent++;
      const cleanup = nodes.cleanupIds[sent % nodes.cleanupIds.length]!;
      return {
        method: 'PATCH',
        path: `/v2/${BENCH_PROJECT}/cleanups/${cleanup}`,
        headers: { 'x-auth-token': nodes.agentToken, 'content-type': 'application/json-patch+json' },
        body: JSON.stringify([{ op: 'replace', path: '/bytes_before', value: sent * 1024 }]),
      };
    },
  }));
}

export function listTarget(nodes: CofferNodes, connections = CONNECTIONS): LoadTarget[] {
  return [
    {
      url: nodes.urls[0]!,
      connections,
      request: () => ({ method: 'GET', path: `/v2/${BENCH_PROJECT}/cleanups?limit=100`, headers: { 'x-auth-token': BENCH_ADMIN_TOKEN } }),
    },
  ];
}
