import type { Urls } from '../../server/links.js';
import { toWireTime } from '../../server/time.js';
import type { RetentionCandidate } from '../backups/retention-candidates.js';
import { presentRetention } from './configuration.presenter.js';
import type { ConfigurationRetentionPlan } from './retention-plan.fetcher.js';

function presentItem(item: RetentionCandidate, urls: Urls) {
  return { backup: { id: item.id, links: [urls.link('full', 'backups', item.id)] }, snapshot_id: item.snapshotId, time: item.time };
}

/** `GET /configurations/{id}/retention`: the policy evaluated, each kept backup with the rules that keep it, the rest. */
export function presentRetentionPlan(result: ConfigurationRetentionPlan, urls: Urls) {
  const { configuration, plan } = result;
  return {
    configuration: { id: configuration.id, links: [urls.link('full', 'configurations', configuration.id)] },
    retention: presentRetention(result.policy),
    time_zone: result.timeZone,
    evaluated_time: toWireTime(result.evaluatedAt),
    keep: plan.keep.map(({ item, reasons }) => ({ ...presentItem(item, urls), reasons })),
    remove: plan.remove.map((item) => presentItem(item, urls)),
    links: [urls.link('self', 'configurations', configuration.id, 'retention')],
  };
}
