import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { AgentDaemon } from '../../src/agent/agent-daemon.js';
import type { AgentConfig } from '../../src/agent/agent-config.js';
import { registerThisHost } from '../../src/agent/agent-register.js';
import { AgentClock } from '../../src/agent/clock.js';

export interface RunOptions {
  /** The agent's clock reads this much ahead of the real one (to bring a scheduled time near). */
  clockOffsetMs?: number;
  /** Another server node on the same database to talk to, instead of the one it registered with. */
  api?: string;
}

/**
 * The real agent (`coffer agent register`, then `coffer agent run`'s daemon) inside the test process, with its own
 * configuration directory and a silent log (COFFER_TEST_AGENT_LOG=debug shows it).
 */
export class InProcessAgent {
  private daemon: AgentDaemon | undefined;
  private running: Promise<void> | undefined;

  private constructor(
    readonly config: AgentConfig,
    readonly dir: string,
  ) {}

  static async register(options: { api: string; user: string; password: string; name: string }): Promise<InProcessAgent> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-agent-'));
    const configPath = path.join(dir, 'agent.json');
    const { config } = await registerThisHost({ api: options.api, user: options.user, secret: options.password, apiKey: false, configPath, name: options.name });
    return new InProcessAgent(config, dir);
  }

  get id(): string {
    return this.config.agentId;
  }

  start(options: RunOptions = {}): void {
    // The daemon sets its level from the server's document: the log goes to a file beside the agent's config.
    const log = process.env.COFFER_TEST_AGENT_LOG
      ? pino({ level: process.env.COFFER_TEST_AGENT_LOG }, process.stderr)
      : pino({ level: 'info' }, pino.destination({ dest: path.join(this.dir, 'agent.log'), sync: true }));
    this.daemon = new AgentDaemon({ ...this.config, api: options.api ?? this.config.api }, path.join(this.dir, 'agent.json'), log, new AgentClock(options.clockOffsetMs ?? 0));
    this.running = this.daemon.run().catch((err: unknown) => {
      if (process.env.COFFER_TEST_AGENT_LOG) console.error(`agent ${this.id} stopped: ${(err as Error).message}`);
    });
  }

  async stop(): Promise<void> {
    await this.daemon?.shutdown();
    await this.running;
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
