import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentPollWaitSeconds, parseEventListQuery } from './event-list.message.js';

describe('event list query', { timeout: 10_000 }, () => {
  it("an agent's default wait is spread over the last quarter of the longest one, and still capped by it", () => {
    assert.equal(agentPollWaitSeconds(60, 0), 60);
    assert.equal(agentPollWaitSeconds(60, 0.999999) > 45, true);
    const waits = Array.from({ length: 1000 }, () => agentPollWaitSeconds(60));
    assert.ok(waits.every((wait) => wait > 45 && wait <= 60));
    assert.ok(Math.max(...waits) - Math.min(...waits) > 10, 'polls that begin together end apart');
    const message = parseEventListQuery({}, 'asc', { maxWaitSeconds: 60, defaultWaitSeconds: agentPollWaitSeconds(60, 0.5) });
    assert.equal(message.waitMs, 52_500);
    assert.equal(parseEventListQuery({ wait: '5' }, 'asc', { maxWaitSeconds: 60, defaultWaitSeconds: 52.5 }).waitMs, 5000, 'an explicit wait is kept exactly');
  });
});
