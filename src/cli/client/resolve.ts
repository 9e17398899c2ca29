import type { ApiClient } from './api-client.js';
import { UsageError } from './errors.js';

interface Named {
  id: string;
  name?: string;
}

/** Finds one item by exact id, exact name (any case) or a unique id prefix of at least 4 characters. */
export function pick<T extends Named>(items: readonly T[], ref: string, what: string): T {
  const exact = items.find((item) => item.id === ref);
  if (exact) return exact;
  const byName = items.filter((item) => item.name !== undefined && item.name.toLowerCase() === ref.toLowerCase());
  const [named, ...sameName] = byName;
  if (named && sameName.length === 0) return named;
  if (byName.length > 1) throw new UsageError(`${byName.length} ${what}s are named "${ref}"; use the id`);
  const byPrefix = ref.length >= 4 ? items.filter((item) => item.id.startsWith(ref)) : [];
  const [prefixed, ...samePrefix] = byPrefix;
  if (prefixed && samePrefix.length === 0) return prefixed;
  if (byPrefix.length > 1) throw new UsageError(`"${ref}" matches ${byPrefix.length} ${what}s; give more of the id`);
  throw new UsageError(`no ${what} "${ref}"`);
}

export async function resolveAgent(client: ApiClient, ref: string): Promise<{ id: string; name: string; [key: string]: any }> {
  const { body } = await client.get<{ agents: any[] }>(client.v2('agents'));
  return pick(body.agents, ref, 'agent');
}

export async function resolveConfiguration(client: ApiClient, ref: string): Promise<{ id: string; name: string; [key: string]: any }> {
  const { body } = await client.get<{ configurations: any[] }>(client.v2('configurations'));
  return pick(body.configurations, ref, 'configuration');
}

/** Agent names by id, for tables. */
export async function agentNames(client: ApiClient): Promise<Map<string, string>> {
  const { body } = await client.get<{ agents: { id: string; name: string }[] }>(client.v2('agents'));
  return new Map(body.agents.map((agent) => [agent.id, agent.name]));
}
