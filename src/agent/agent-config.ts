import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { taskSettingsProblems, type TaskSettings } from './jobs/task-policy.js';

/** Everything the agent keeps between runs. Holds secrets: written with mode 0600 and never logged. */
export interface AgentConfig {
  api: string;
  projectId: string;
  agentId: string;
  password: string;
  fingerprint: string;
  machineId: string;
  name: string;
  /** Opens the vault; generated at registration (or COFFER_VAULT_PASSWORD) and never sent to the server. */
  vaultPassword: string;
  /** PEM private key matching the rsa_public_key registered, to read passwords the API hands over encrypted. */
  rsaPrivateKey: string;
  /** Where the agent's own log and state live; defaults beside the config file. */
  logFile?: string;
  stateFile?: string;
  /** What the host's owner allows tasks (remote commands) to do; off when absent. */
  tasks?: TaskSettings;
}

export function defaultConfigPath(): string {
  const base = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'coffer', 'agent.json');
}

export function logFileOf(config: AgentConfig, configPath: string): string {
  return config.logFile ?? path.join(path.dirname(configPath), 'agent.log');
}

export function stateFileOf(config: AgentConfig, configPath: string): string {
  return config.stateFile ?? path.join(path.dirname(configPath), 'agent-state.json');
}

export async function loadAgentConfig(configPath: string): Promise<AgentConfig> {
  let text: string;
  try {
    text = await fs.readFile(configPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`no agent configuration at ${configPath}; run "coffer agent register" first`, { cause: err });
    throw err;
  }
  const config = JSON.parse(text) as AgentConfig;
  for (const key of ['api', 'projectId', 'agentId', 'password', 'fingerprint', 'vaultPassword'] as const) {
    if (typeof config[key] !== 'string' || config[key] === '') throw new Error(`${configPath}: "${key}" is missing`);
  }
  const problems = taskSettingsProblems(config.tasks);
  if (problems.length > 0) throw new Error(`${configPath}: ${problems.join('; ')}`);
  return config;
}

/** Writes the file atomically, readable only by its owner. */
export async function saveAgentConfig(configPath: string, config: AgentConfig): Promise<void> {
  await writePrivateFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
}

export async function writePrivateFile(filePath: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(filePath), { recursive: true, mode: 0o700 });
  const tmp = `${filePath}.${process.pid}.tmp`;
  const handle = await fs.open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.chmod(tmp, 0o600);
  await fs.rename(tmp, filePath);
}
