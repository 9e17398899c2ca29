/**
 * Many deadlines behind one timer. Items are kept in buckets of `resolutionMs` (a deadline is rounded up to its
 * bucket, so an item never expires early, and at most `resolutionMs` late); the one timer is armed for the earliest
 * bucket. Adding and removing an item is O(1) plus a binary search over the buckets, whose number is bounded by the
 * longest wait divided by the resolution, not by the number of items: 20,000 long polls cost 20,000 set entries,
 * not 20,000 timers.
 */
export class DeadlineQueue<T> {
  private readonly buckets = new Map<number, Set<T>>();
  /** Bucket times in ascending order. */
  private readonly times: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;

  constructor(
    private readonly expire: (item: T) => void,
    private readonly resolutionMs = 50,
  ) {}

  /** Schedules `item` to expire at `deadline` (ms since the epoch); returns the bucket to pass to `delete`. */
  add(item: T, deadline: number): number {
    const at = Math.ceil(deadline / this.resolutionMs) * this.resolutionMs;
    let bucket = this.buckets.get(at);
    if (!bucket) {
      this.buckets.set(at, (bucket = new Set()));
      this.times.splice(this.insertionPoint(at), 0, at);
      if (at < this.armedFor) this.arm(at);
    }
    bucket.add(item);
    return at;
  }

  delete(item: T, bucketAt: number): void {
    const bucket = this.buckets.get(bucketAt);
    if (!bucket?.delete(item) || bucket.size > 0) return;
    this.buckets.delete(bucketAt);
    this.times.splice(this.insertionPoint(bucketAt), 1);
    // The timer may stay armed for an emptied bucket: it then fires once for nothing and re-arms.
    if (this.times.length === 0) this.disarm();
  }

  /** Stops the timer; items left are never expired. */
  close(): void {
    this.disarm();
    this.buckets.clear();
    this.times.length = 0;
  }

  private insertionPoint(at: number): number {
    let low = 0;
    let high = this.times.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.times[middle]! < at) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, at - Date.now()));
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = Date.now();
    while (this.times.length > 0 && this.times[0]! <= now) {
      const at = this.times.shift()!;
      const bucket = this.buckets.get(at)!;
      this.buckets.delete(at);
      for (const item of bucket) this.expire(item);
    }
    if (this.times.length > 0) this.arm(this.times[0]!);
  }
}
