import type { DatabaseGaugeFamily } from './database-gauges.js';

/** Jobs and deliveries counted by their few bounded fields. */
export const ACTIVITY_COUNT_FAMILIES: DatabaseGaugeFamily[] = [
  {
    name: 'coffer_jobs',
    help: 'Backups, restores and cleanups on record, by project, kind and state',
    labelNames: ['project_id', 'kind', 'state'],
    async read({ db }) {
      const rows = await db
        .selectFrom('jobs')
        .select(['project_id', 'kind', 'state'])
        .select((eb) => eb.fn.countAll().as('count'))
        .groupBy(['project_id', 'kind', 'state'])
        .execute();
      return rows.map((r) => ({ labels: { project_id: r.project_id, kind: r.kind, state: r.state }, value: Number(r.count) }));
    },
  },
  {
    name: 'coffer_deliveries',
    help: 'Notification e-mails (channel email) and webhook POSTs (channel webhook) on record, by project and outcome: pending, delivered or failed',
    labelNames: ['project_id', 'channel', 'state'],
    async read({ db }) {
      const rows = await db
        .selectFrom('deliveries')
        .select(['project_id', 'channel', 'state'])
        .select((eb) => eb.fn.countAll().as('count'))
        .groupBy(['project_id', 'channel', 'state'])
        .execute();
      return rows.map((r) => ({ labels: { project_id: r.project_id, channel: r.channel, state: r.state }, value: Number(r.count) }));
    },
  },
  {
    name: 'coffer_delivery_attempts',
    help: 'Attempts to send deliveries on record, by project, channel and outcome: delivered, retry (will be tried again) or failed',
    labelNames: ['project_id', 'channel', 'outcome'],
    async read({ db }) {
      const rows = await db
        .selectFrom('delivery_attempts as t')
        .innerJoin('deliveries as d', 'd.id', 't.delivery_id')
        .select(['d.project_id', 'd.channel', 't.outcome'])
        .select((eb) => eb.fn.countAll().as('count'))
        .groupBy(['d.project_id', 'd.channel', 't.outcome'])
        .execute();
      return rows.map((r) => ({ labels: { project_id: r.project_id, channel: r.channel, outcome: r.outcome }, value: Number(r.count) }));
    },
  },
];
