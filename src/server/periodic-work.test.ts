import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppContext } from './context.js';
import { startPeriodicWork } from './periodic-work.js';

/** The parts of the context the lifecycle uses: a log and the store's notifications, which the test sends itself. */
function fakeContext() {
  const warnings: string[] = [];
  const listeners = new Set<(channel: string) => void>();
  const ctx = {
    log: { warn: (_: unknown, message: string) => warnings.push(message) },
    store: {
      listen(listener: (channel: string) => void) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
  } as unknown as AppContext;
  return { ctx, warnings, notify: (channel: string) => listeners.forEach((listener) => listener(channel)), listeners };
}

/** A pass the test lets finish when it wants. */
function gatedPass() {
  let open: () => void = () => {};
  let started = 0;
  let finished = 0;
  return {
    get started() {
      return started;
    },
    get finished() {
      return finished;
    },
    release: () => open(),
    run: async () => {
      started++;
      await new Promise<void>((resolve) => (open = resolve));
      finished++;
    },
  };
}

describe('startPeriodicWork', { timeout: 10_000 }, () => {
  it('never runs two passes at once, and stop waits for the pass in flight', async () => {
    const { ctx } = fakeContext();
    const pass = gatedPass();
    const stop = startPeriodicWork(ctx, { what: 'test', intervalMs: 5, firstAfterMs: 0, run: pass.run });
    await sleep(60);
    assert.equal(pass.started, 1, 'ticks during a pass are skipped');
    let stopped = false;
    const stopping = stop().then(() => (stopped = true));
    await sleep(20);
    assert.equal(stopped, false, 'stop is still waiting for the pass');
    pass.release();
    await stopping;
    assert.equal(pass.finished, 1);
    await sleep(30);
    assert.equal(pass.started, 1, 'no pass after stop');
  });

  it('a failed pass is logged and the next one runs', async () => {
    const { ctx, warnings } = fakeContext();
    let passes = 0;
    const stop = startPeriodicWork(ctx, {
      what: 'flaky work',
      intervalMs: 5,
      run: async () => {
        passes++;
        if (passes === 1) throw new Error('boom');
      },
    });
    while (passes < 3) await sleep(5);
    await stop();
    assert.equal(warnings[0], 'flaky work failed');
  });

  it('a notice on its channels passes at once; one during a pass makes exactly one more; other channels do nothing', async () => {
    const { ctx, notify, listeners } = fakeContext();
    const pass = gatedPass();
    const stop = startPeriodicWork(ctx, { what: 'test', intervalMs: 60_000, wakeOn: ['work'], run: pass.run });
    notify('other');
    await sleep(10);
    assert.equal(pass.started, 0);
    notify('work');
    assert.equal(pass.started, 1);
    notify('work');
    notify('work');
    pass.release();
    await sleep(10);
    assert.equal(pass.started, 2, 'the notices during the pass made one more pass');
    pass.release();
    await sleep(10);
    assert.equal(pass.started, 2);
    await stop();
    assert.equal(listeners.size, 0, 'stop stops listening');
  });

  it('tells a pass that loops over batches to stop', async () => {
    const { ctx } = fakeContext();
    let batches = 0;
    const stop = startPeriodicWork(ctx, {
      what: 'test',
      intervalMs: 60_000,
      firstAfterMs: 0,
      run: async (stopping) => {
        while (!stopping.aborted) {
          batches++;
          await sleep(2);
        }
      },
    });
    while (batches < 3) await sleep(2);
    await stop();
    const after = batches;
    await sleep(20);
    assert.equal(batches, after);
  });
});
