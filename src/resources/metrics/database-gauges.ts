import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import type { ServerConfig } from '../../config.js';
import type { Database } from '../../store/database.js';

/** One value of a gauge family: its labels (ids and names only, never one per job) and the number. */
export interface GaugeSample {
  labels: Record<string, string>;
  value: number;
}

/** What a family's read gets: the database, the time of this collection, the config, and a memo shared by families. */
export interface FamilyReadContext {
  db: Kysely<Database>;
  now: Date;
  config: ServerConfig;
  /** Runs `load` once per collection for `key`, so families built from the same rows query them once. */
  shared<T>(key: string, load: () => Promise<T>): Promise<T>;
}

/** A gauge whose values are read from the database, so every node reports the same ones. */
export interface DatabaseGaugeFamily {
  name: string;
  help: string;
  /** At least one: a family whose read failed reports no series at all. */
  labelNames: readonly string[];
  read(context: FamilyReadContext): Promise<GaugeSample[]>;
}

/** What one read found: each family's samples, and all of them in the Prometheus text format. */
interface Snapshot {
  samples: Map<string, GaugeSample[]>;
  text: string;
}

/** Samples rendered between two yields to the event loop: a fleet's agents make tens of thousands of lines. */
const LINES_PER_TURN = 2_000;

/**
 * Reads every family at most once per `ttlMs` (concurrent scrapes share one read), and renders the families' text
 * once per read, a slice per event-loop turn, so that neither a scrape nor a fleet of agents stalls other requests.
 * A family whose read fails reports nothing that time and is logged; `coffer_database_metrics_up` says whether the
 * last read was whole.
 */
export class DatabaseGaugeCache {
  private cached: { at: number; snapshot: Snapshot } | null = null;
  private inFlight: Promise<Snapshot> | null = null;
  lastReadComplete = true;

  constructor(
    private readonly families: readonly DatabaseGaugeFamily[],
    private readonly source: { db: Kysely<Database>; config: ServerConfig; ttlMs: number; onError(family: string, error: unknown): void },
  ) {}

  async snapshot(): Promise<Snapshot> {
    if (this.cached && Date.now() - this.cached.at < this.source.ttlMs) return this.cached.snapshot;
    this.inFlight ??= this.read().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** The families in the Prometheus text format (HELP, TYPE and one line per sample), for /metrics. */
  async exposition(): Promise<string> {
    return (await this.snapshot()).text;
  }

  private async read(): Promise<Snapshot> {
    const memo = new Map<string, Promise<unknown>>();
    const context: FamilyReadContext = {
      db: this.source.db,
      now: new Date(),
      config: this.source.config,
      shared<T>(key: string, load: () => Promise<T>): Promise<T> {
        if (!memo.has(key)) memo.set(key, load());
        return memo.get(key) as Promise<T>;
      },
    };
    let complete = true;
    const entries = await Promise.all(
      this.families.map(async (family): Promise<[string, GaugeSample[]]> => {
        try {
          return [family.name, await family.read(context)];
        } catch (error) {
          complete = false;
          this.source.onError(family.name, error);
          return [family.name, []];
        }
      }),
    );
    const samples = new Map(entries);
    const snapshot = { samples, text: await renderFamilies(this.families, samples) };
    this.lastReadComplete = complete;
    this.cached = { at: Date.now(), snapshot };
    return snapshot;
  }
}

/**
 * Checks the families' names and labels, and registers `coffer_database_metrics_up`. A scrape is
 * `cache.exposition()` (the families' text), then the registry's own metrics.
 */
export function registerDatabaseGauges(registry: Registry, families: readonly DatabaseGaugeFamily[], cache: DatabaseGaugeCache): void {
  const names = new Set<string>();
  for (const family of families) {
    if (names.has(family.name)) throw new Error(`metric family ${family.name} is defined twice`);
    // A label-less gauge would be printed as one bare number, which could not go silent on a failed read.
    if (family.labelNames.length === 0) throw new Error(`metric family ${family.name} needs at least one label`);
    names.add(family.name);
  }
  new Gauge({
    name: 'coffer_database_metrics_up',
    help: 'Whether the last read of the database-backed metrics succeeded for every family (1) or not (0)',
    registers: [registry],
    // Read by the scrape just before (cache.exposition()), so this one says how that read went.
    collect() {
      this.set(cache.lastReadComplete ? 1 : 0);
    },
  });
}

/** A label value or HELP text as the text format wants it (backslash, double quote in values, newline escaped). */
function escapeText(text: string, quote: boolean): string {
  return text.replace(quote ? /[\\"\n]/g : /[\\\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

async function renderFamilies(families: readonly DatabaseGaugeFamily[], samples: Map<string, GaugeSample[]>): Promise<string> {
  const lines: string[] = [];
  let sinceYield = 0;
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeText(family.help, false)}`, `# TYPE ${family.name} gauge`);
    for (const sample of samples.get(family.name) ?? []) {
      const labels = family.labelNames.filter((name) => sample.labels[name] !== undefined).map((name) => `${name}="${escapeText(sample.labels[name]!, true)}"`);
      lines.push(`${family.name}{${labels.join(',')}} ${formatValue(sample.value)}`);
      if (++sinceYield === LINES_PER_TURN) {
        sinceYield = 0;
        await nextTurn();
      }
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Seconds since the epoch of a stored timestamp; null when absent or unparsable. */
export function epochSeconds(time: string | null | undefined): number | null {
  if (!time) return null;
  const ms = Date.parse(time);
  return Number.isFinite(ms) ? ms / 1000 : null;
}
