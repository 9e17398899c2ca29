/**
 * How a node tells the other nodes sharing a PostgreSQL database that something committed, without NOTIFY inside
 * the writing transactions.
 *
 * PostgreSQL serialises every transaction that has sent a NOTIFY through one cluster-wide lock held from before
 * its commit record until the commit is durable: with the notification inside each event-writing transaction, those
 * transactions commit one at a time, each waiting for the previous one's WAL flush (the same cap as a global
 * advisory lock), while transactions without one share their flushes. So notifications leave the writing
 * transactions: once one commits, its notifications are handed to this node's notifier, which wakes this node's
 * listeners at once and sends the lines to PostgreSQL in one statement of its own. A transaction that only notifies
 * writes no WAL, so it holds the lock for microseconds and needs no flush. While one send is in flight, the next
 * notifications gather and go out together (duplicates once), so a node sends at most one notifying statement at a
 * time however many transactions commit.
 *
 * Wire format: one NOTIFY payload holds lines (`channel|payload`) joined by '\n', up to PostgreSQL's payload limit;
 * a send with more lines notifies several times in the same statement.
 *
 * What this gives up: a node that dies between a commit and the send (or cannot reach the database for the send's
 * attempts) leaves the other nodes' long polls unwoken for that change; they find it at their next look (a poll's
 * deadline, at most a minute). Waiters on the node that wrote are woken at once either way.
 */
export type NotificationSender = (payloads: string[]) => Promise<void>;

/** PostgreSQL refuses payloads of 8000 bytes or more. */
const PAYLOAD_LIMIT_BYTES = 7900;
const SEND_ATTEMPTS = 3;
const RETRY_DELAY_MS = 100;

interface Batch {
  lines: Set<string>;
  sent: Promise<void>;
  resolve: () => void;
}

export class PostgresNotifier {
  private next: Batch | null = null;
  private draining = false;
  private closed = false;

  constructor(
    private readonly send: NotificationSender,
    /** This node's own listeners, told at once. */
    private readonly deliverLocally: (channel: string, payload: string) => void,
  ) {}

  /**
   * Notifies `[channel, payload]` pairs of a change that has committed: this node's listeners now, the other nodes'
   * with the next send. The promise settles once that send has been attempted (it never rejects).
   */
  post(notifications: readonly (readonly [string, string])[]): Promise<void> {
    if (notifications.length === 0) return Promise.resolve();
    const lines: string[] = [];
    for (const [channel, payload] of notifications) lines.push(lineOf(channel, payload));
    for (const [channel, payload] of notifications) this.deliverLocally(channel, payload);
    if (this.closed) return Promise.resolve();
    if (!this.next) {
      let resolve!: () => void;
      const sent = new Promise<void>((r) => (resolve = r));
      this.next = { lines: new Set(), sent, resolve };
    }
    for (const line of lines) this.next.lines.add(line);
    const sent = this.next.sent;
    if (!this.draining) {
      this.draining = true;
      // The rest of this turn's commits (other sockets' replies read in the same poll) join the first send.
      setImmediate(() => void this.drain());
    }
    return sent;
  }

  close(): void {
    this.closed = true;
  }

  private async drain(): Promise<void> {
    while (this.next) {
      const batch = this.next;
      this.next = null;
      const payloads = packLines([...batch.lines]);
      for (let attempt = 1; attempt <= SEND_ATTEMPTS && !this.closed; attempt++) {
        try {
          await this.send(payloads);
          break;
        } catch {
          // The database is out of reach: retry a little; listeners that lose their connection are told they missed
          // notifications when they are back, so long polls look again then.
          if (attempt < SEND_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
        }
      }
      batch.resolve();
    }
    this.draining = false;
  }
}

/** One notification as a line of a payload; channels and payloads are Coffer's own ids and names. */
export function lineOf(channel: string, payload: string): string {
  if (channel.includes('|') || channel.includes('\n') || payload.includes('\n')) throw new Error(`notification not sendable: ${channel}`);
  return `${channel}|${payload}`;
}

/** The notifications a payload holds, as [channel, payload] pairs. */
export function linesOf(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const line of text.split('\n')) {
    const cut = line.indexOf('|');
    if (cut > 0) pairs.push([line.slice(0, cut), line.slice(cut + 1)]);
  }
  return pairs;
}

/** Lines joined into as few payloads as the size limit allows. */
export function packLines(lines: string[]): string[] {
  const payloads: string[] = [];
  let current = '';
  let bytes = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(line) + 1;
    if (current !== '' && bytes + size > PAYLOAD_LIMIT_BYTES) {
      payloads.push(current);
      current = '';
      bytes = 0;
    }
    current = current === '' ? line : `${current}\n${line}`;
    bytes += size;
  }
  if (current !== '') payloads.push(current);
  return payloads;
}
