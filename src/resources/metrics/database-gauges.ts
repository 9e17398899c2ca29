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

type Snapshot = Map<string, GaugeSample[]>;

/**
 * Reads every family at most once per `ttlMs` (concurrent scrapes share one read). A family whose read fails
 * reports nothing that time and is logged; `coffer_database_metrics_up` says whether the last read was whole.
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
    const snapshot = new Map(entries);
    this.lastReadComplete = complete;
    this.cached = { at: Date.now(), snapshot };
    return snapshot;
  }
}

/** Registers one prom-client gauge per family, filled from the cache at each scrape. */
export function registerDatabaseGauges(registry: Registry, families: readonly DatabaseGaugeFamily[], cache: DatabaseGaugeCache): void {
  const names = new Set<string>();
  for (const family of families) {
    if (names.has(family.name)) throw new Error(`metric family ${family.name} is defined twice`);
    // prom-client always prints a label-less gauge (0 when unset), so such a family could not go silent on a failed read.
    if (family.labelNames.length === 0) throw new Error(`metric family ${family.name} needs at least one label`);
    names.add(family.name);
    new Gauge({
      name: family.name,
      help: family.help,
      labelNames: family.labelNames,
      registers: [registry],
      async collect() {
        const samples = (await cache.snapshot()).get(family.name) ?? [];
        this.reset();
        for (const sample of samples) this.set(sample.labels, sample.value);
      },
    });
  }
  new Gauge({
    name: 'coffer_database_metrics_up',
    help: 'Whether the last read of the database-backed metrics succeeded for every family (1) or not (0)',
    registers: [registry],
    async collect() {
      await cache.snapshot();
      this.set(cache.lastReadComplete ? 1 : 0);
    },
  });
}

/** Seconds since the epoch of a stored timestamp; null when absent or unparsable. */
export function epochSeconds(time: string | null | undefined): number | null {
  if (!time) return null;
  const ms = Date.parse(time);
  return Number.isFinite(ms) ? ms / 1000 : null;
}
