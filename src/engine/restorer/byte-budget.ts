/** Bounds the bytes of blobs loaded but not yet written, across all files being restored. */
export class ByteBudget {
  private used = 0;
  private waiting: Array<{ n: number; resolve: () => void }> = [];

  constructor(private readonly limit: number) {}

  async acquire(n: number): Promise<void> {
    // A single blob larger than the limit may still go when nothing else is held.
    if (this.used + n <= this.limit || this.used === 0) {
      this.used += n;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push({ n, resolve }));
  }

  release(n: number): void {
    this.used -= n;
    while (this.waiting.length) {
      const next = this.waiting[0]!;
      if (this.used + next.n > this.limit && this.used !== 0) break;
      this.waiting.shift();
      this.used += next.n;
      next.resolve();
    }
  }
}
