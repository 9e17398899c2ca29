import { BodyCheck } from '../common/body-check.js';
import type { ConfigurationDocument } from './configuration.js';
import { checkConfigurationDocument } from './configuration-rules.js';

export interface ConfigurationCreateMessage {
  agentId: string;
  document: ConfigurationDocument;
}

export function parseConfigurationCreate(body: unknown): ConfigurationCreateMessage {
  const check = BodyCheck.object(body);
  const agentId = check.string('agent_id', { required: true, nonEmpty: true });
  const document = checkConfigurationDocument(check);
  return { agentId: agentId as string, document };
}
