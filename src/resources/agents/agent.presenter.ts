import type { Urls } from '../../server/links.js';
import type { Agent } from './agent.js';

export function vaultName(vaultId: string): string {
  return `phoenix_${vaultId}`;
}

/** The agent's vault links point at this server's own vault endpoint. */
export function vaultLinks(agent: Agent, urls: Urls) {
  const href = `${urls.base}/vaults/${encodeURIComponent(agent.vault.id)}`;
  return [
    { href, rel: 'publicURL' },
    { href, rel: 'internalURL' },
  ];
}

export function presentAgent(agent: Agent, urls: Urls) {
  const self = (...rest: string[]) => urls.v2('agents', agent.id, ...rest);
  return {
    project_id: agent.projectId,
    id: agent.id,
    name: agent.name,
    version: agent.version,
    host: {
      flavor: agent.host.flavor,
      region: agent.host.region,
      machine: { id: agent.host.machine.id, links: [{ href: `${urls.base}/v2/${agent.projectId}/servers/${agent.host.machine.id}`, rel: 'full' }] },
      os: agent.host.os,
      addresses: agent.host.addresses,
    },
    enabled: agent.enabled,
    rsa_public_key: agent.rsaPublicKey,
    vault: {
      id: agent.vault.id,
      name: vaultName(agent.vault.id),
      state: 'created',
      flavor: 'coffer',
      encrypted: agent.vault.encrypted,
      region: agent.vault.region,
      use_internal: agent.vault.useInternal,
      key_custody: agent.vault.keyCustody,
      links: vaultLinks(agent, urls),
    },
    log_level: agent.logLevel,
    registered_time: agent.registeredTime.replace(/Z$/, '+00:00'),
    links: [
      { href: self(), rel: 'self' },
      { href: self('activities'), rel: 'activities' },
      { href: self('configuration'), rel: 'configuration' },
      { href: self('configurations'), rel: 'configurations' },
      { href: self('events'), rel: 'events' },
      { href: self('logfiles'), rel: 'logfiles' },
      { href: self('status'), rel: 'status' },
    ],
  };
}
