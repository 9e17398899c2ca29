import fs from 'node:fs/promises';
import type { WorkKind } from '../domain/job-states.js';
import { writePrivateFile } from './agent-config.js';

export type { WorkKind };

export interface WorkRecord {
  kind: WorkKind;
  id: string;
  /** queued: accepted, not started; running: the engine (or the command) was working on it. */
  phase: 'queued' | 'running';
  since: string;
  /** What the job needs to run again after a restart (restores carry their request here). */
  payload?: unknown;
}

interface StateFile {
  /** Id of the last event handled: the next poll asks for newer ones only, so a restart does not redo work. */
  marker: string | null;
  work: Record<string, WorkRecord>;
  /** Scratch folders of drill restores this agent made itself, by restore id: the only folders it ever removes whole. */
  scratch: Record<string, string>;
}

/**
 * What must survive a crash: the event marker and the jobs in hand. Every change is written at once (atomically,
 * fsynced), so after a kill the agent knows which job it was in the middle of.
 */
export class AgentState {
  private data: StateFile = { marker: null, work: {}, scratch: {} };
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {}

  async load(): Promise<void> {
    try {
      const parsed = JSON.parse(await fs.readFile(this.file, 'utf8')) as Partial<StateFile>;
      this.data = { marker: parsed.marker ?? null, work: parsed.work ?? {}, scratch: parsed.scratch ?? {} };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  get marker(): string | null {
    return this.data.marker;
  }

  inHand(): WorkRecord[] {
    return Object.values(this.data.work);
  }

  has(id: string): boolean {
    return id in this.data.work;
  }

  /** The last event handled. Events come in commit order, not always in id order: the stream's order decides. */
  setMarker(marker: string): Promise<void> {
    if (this.data.marker === marker) return this.writing;
    this.data.marker = marker;
    return this.save();
  }

  resetMarker(): Promise<void> {
    this.data.marker = null;
    return this.save();
  }

  track(record: Omit<WorkRecord, 'since'>): Promise<void> {
    this.data.work[record.id] = { ...record, since: new Date().toISOString() };
    return this.save();
  }

  forget(id: string): Promise<void> {
    if (!(id in this.data.work)) return this.writing;
    delete this.data.work[id];
    return this.save();
  }

  scratchFolders(): Record<string, string> {
    return { ...this.data.scratch };
  }

  setScratch(restoreId: string, folder: string | undefined): Promise<void> {
    if (folder === undefined) delete this.data.scratch[restoreId];
    else this.data.scratch[restoreId] = folder;
    return this.save();
  }

  /** Writes are serialised; each one writes the latest state. */
  private save(): Promise<void> {
    this.writing = this.writing.then(() => writePrivateFile(this.file, JSON.stringify(this.data)));
    return this.writing;
  }
}
