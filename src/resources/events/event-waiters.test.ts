import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventWaiters, type EventWaiter } from './event-waiters.js';

const AGENTS = 10_000;
const settled = (waiter: EventWaiter) => Promise.race([waiter.woken.then(() => true), new Promise<boolean>((resolve) => setImmediate(() => resolve(false)))]);
const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('long-poll waiters', { timeout: 20_000 }, () => {
  it("an agent's event wakes only that agent's waiters and the project-wide ones, among 10,000", async () => {
    // A project's event wakes 1,000 waiters every millisecond here (the server's pace is slower).
    const waiters = new EventWaiters({ batch: 1_000, intervalMs: 1 });
    const timersBefore = timers();
    const deadline = Date.now() + 60_000;
    const byAgent = Array.from({ length: AGENTS }, (_, i) => waiters.arm('p1', `agent-${i}`, deadline));
    const second = waiters.arm('p1', 'agent-42', deadline);
    const projectWide = waiters.arm('p1', undefined, deadline);
    const otherProject = waiters.arm('p2', 'agent-42', deadline);
    assert.equal(waiters.size, AGENTS + 3);
    assert.ok(timers() - timersBefore <= 1, `waiting costs at most one timer, not one per waiter (${timers() - timersBefore} more)`);

    waiters.wakeFor('p1', 'agent-42');
    assert.equal(await settled(byAgent[42]!), true);
    assert.equal(await byAgent[42]!.woken, 'event');
    assert.equal(await settled(second), true, 'every waiter of the agent wakes');
    assert.equal(await settled(projectWide), true, 'a project-wide waiter sees every event of the project');
    assert.equal(await settled(otherProject), false, 'the same agent id in another project is another stream');
    for (const i of [0, 41, 43, AGENTS - 1]) assert.equal(await settled(byAgent[i]!), false, `agent-${i} is not woken`);
    assert.equal(waiters.size, AGENTS - 1 + 1);

    // An event of no agent (agent_activate for the project) wakes every agent of that project: a batch at once,
    // the others a batch at a time, so other work runs in between.
    waiters.wakeFor('p1', undefined);
    assert.equal(await settled(byAgent[0]!), true);
    assert.equal(await settled(byAgent[AGENTS - 1]!), false, 'the last of 10,000 is not woken with the first batch');
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    assert.deepEqual(new Set(await Promise.all(byAgent.filter((_, i) => i !== 42).map((waiter) => waiter.woken))), new Set(['event']));
    clearInterval(ticker);
    assert.ok(turns > 0, 'timers ran between the batches');
    assert.equal(waiters.size, 1);
    assert.equal(await settled(otherProject), false);
    waiters.close();
    assert.equal(await settled(otherProject), true, 'closing wakes everyone');
    assert.equal(timers(), timersBefore);
  });

  it('each wait runs out at its own deadline, never early, behind one timer', async () => {
    const waiters = new EventWaiters();
    const start = Date.now();
    const ended: Record<string, number> = {};
    const wait = (name: string, ms: number) =>
      waiters.arm('p', name, start + ms).woken.then((reason) => {
        assert.equal(reason, 'deadline');
        ended[name] = Date.now() - start;
      });
    const done = Promise.all([wait('late', 400), wait('early', 100), wait('middle', 250)]);
    const cancelled = waiters.arm('p', 'cancelled', start + 150);
    waiters.wake(cancelled, 'cancelled');
    assert.equal(await cancelled.woken, 'cancelled');
    await done;
    assert.deepEqual(Object.keys(ended), ['early', 'middle', 'late']);
    assert.ok(ended.early! >= 100 && ended.middle! >= 250 && ended.late! >= 400, JSON.stringify(ended));
    // Generous for a loaded machine; the bucket adds at most 50 ms.
    assert.ok(ended.late! < 1500, JSON.stringify(ended));
    assert.equal(waiters.size, 0);
    waiters.close();
  });
});
