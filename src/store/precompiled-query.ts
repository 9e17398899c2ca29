import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from 'kysely';
import type { Database } from './database.js';
import { directRunnerOf } from './direct-statements.js';

/** Stands for the `index`th parameter while the query is built; replaced by the real value at each run. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a placeholder stands where any column's value may go
type Placeholder = (index: number) => any;

interface Compiled {
  sql: string;
  /** Per compiled parameter: the index of the run's argument it takes, or the constant the builder put there. */
  slots: ({ arg: number } | { constant: unknown })[];
}

const MARK = '\u0000coffer-parameter-';
const placeholder: Placeholder = (index) => `${MARK}${index}\u0000`;

/**
 * A query that kysely builds and compiles once per dialect, then runs many times with new parameter values: request
 * hot paths skip building the query tree and compiling it to SQL on every call (a sizeable share of a small request's
 * CPU). The SQL is whatever kysely compiles, so it stays engine-neutral; only the values change between runs.
 *
 * `build` receives the database and `$`, where `$(i)` stands for the i-th argument of `execute`. Every `$(i)` must
 * reach the compiled query as a whole parameter (not inside another value), which compiling checks.
 */
export class PrecompiledQuery<Row, Args extends readonly unknown[]> {
  /** Keyed by the dialect's adapter: a transaction's Kysely shares its database's, so both find the same entry. */
  readonly #byDialect = new WeakMap<object, Compiled>();

  constructor(
    private readonly arity: Args['length'],
    private readonly build: (db: Kysely<Database>, $: Placeholder) => Compilable<Row>,
  ) {}

  async execute(db: Kysely<Database>, ...args: Args): Promise<QueryResult<Row>> {
    const compiled = this.#compiled(db);
    const parameters = new Array<unknown>(compiled.slots.length);
    for (let i = 0; i < compiled.slots.length; i++) {
      const slot = compiled.slots[i]!;
      parameters[i] = 'arg' in slot ? args[slot.arg] : slot.constant;
    }
    const direct = directRunnerOf(db)?.<Row>(compiled.sql, parameters);
    return direct ?? db.executeQuery<Row>(CompiledQuery.raw(compiled.sql, parameters));
  }

  async first(db: Kysely<Database>, ...args: Args): Promise<Row | undefined> {
    return (await this.execute(db, ...args)).rows[0];
  }

  /** Rows an UPDATE or DELETE changed. */
  async affected(db: Kysely<Database>, ...args: Args): Promise<number> {
    return Number((await this.execute(db, ...args)).numAffectedRows ?? 0n);
  }

  #compiled(db: Kysely<Database>): Compiled {
    const adapter = db.getExecutor().adapter;
    let compiled = this.#byDialect.get(adapter);
    if (!compiled) {
      compiled = compile(this.build(db, placeholder).compile(), this.arity);
      this.#byDialect.set(adapter, compiled);
    }
    return compiled;
  }
}

function compile(query: CompiledQuery, arity: number): Compiled {
  const seen = new Set<number>();
  const slots = query.parameters.map((value): Compiled['slots'][number] => {
    if (typeof value !== 'string' || !value.includes(MARK)) return { constant: value };
    const match = /^\u0000coffer-parameter-(\d+)\u0000$/.exec(value);
    if (!match) throw new Error(`a placeholder was used inside a parameter value: ${query.sql}`);
    seen.add(Number(match[1]));
    return { arg: Number(match[1]) };
  });
  if (query.sql.includes(MARK)) throw new Error(`a placeholder was inlined into the SQL: ${query.sql}`);
  for (let i = 0; i < arity; i++) if (!seen.has(i)) throw new Error(`parameter ${i} does not reach the query: ${query.sql}`);
  return { sql: query.sql, slots };
}
