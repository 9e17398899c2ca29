import type { AppContext } from '../../server/context.js';
import type { Urls } from '../../server/links.js';
import { dependentSystems, type DependentSystem } from './dependent-systems.js';

export interface SystemReport {
  online: boolean;
  links: { href: string; rel: string }[];
  [extra: string]: unknown;
}

export async function checkSystem(ctx: AppContext, system: DependentSystem, urls: Urls): Promise<SystemReport> {
  const { online, extra } = await system.probe(ctx);
  return { online, ...extra, links: [urls.link('self', 'health', system.group, system.name)] };
}

/** Every dependent system, grouped: `{storage: {sqlite: {...}}, transport: {http: {...}}}`; healthy when all are online. */
export async function checkHealth(ctx: AppContext, urls: Urls): Promise<{ healthy: boolean; body: Record<string, Record<string, SystemReport>> }> {
  const body: Record<string, Record<string, SystemReport>> = {};
  let healthy = true;
  for (const system of dependentSystems(ctx)) {
    const report = await checkSystem(ctx, system, urls);
    healthy &&= report.online;
    (body[system.group] ??= {})[system.name] = report;
  }
  return { healthy, body };
}
