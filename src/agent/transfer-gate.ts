/**
 * Lets a job's vault transfers through, or holds them (its backup window closed with `outside: pause`). Closing the
 * gate aborts the requests in flight (`closing()`), which are sent again from their first byte once it opens: a
 * request held open for hours would be cut by the server's request timeout anyway, and a vault file's name is its
 * content's hash, so sending it twice is harmless.
 */
export class TransferGate {
  private closedNow = false;
  private onClose: AbortController | undefined;
  private readonly waiters = new Set<() => void>();

  get closed(): boolean {
    return this.closedNow;
  }

  close(): void {
    if (this.closedNow) return;
    this.closedNow = true;
    this.onClose?.abort(new Error('the backup window closed'));
    this.onClose = undefined;
  }

  open(): void {
    if (!this.closedNow) return;
    this.closedNow = false;
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  /** Resolves when the gate is open; rejects when `signal` aborts first (the job was stopped). */
  whenOpen(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (!this.closedNow) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        this.waiters.delete(wake);
        reject(signal!.reason);
      };
      this.waiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** A signal that aborts when the gate closes. */
  closing(): AbortSignal {
    if (this.closedNow) return AbortSignal.abort(new Error('the backup window is closed'));
    this.onClose ??= new AbortController();
    return this.onClose.signal;
  }
}
