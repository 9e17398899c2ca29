import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionLimitWarning, openFilesLimit } from './connection-limits.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            20000                65536                files
Max locked memory         8388608              8388608              bytes
`;

describe('connection limits against the open-files limit', { timeout: 10_000 }, () => {
  it('reads the soft limit, and warns when COFFER_MAX_CONNECTIONS cannot fit under it', () => {
    assert.equal(openFilesLimit(LIMITS), 20000);
    assert.equal(openFilesLimit(LIMITS.replace('20000 ', 'unlimited')), undefined);
    assert.equal(connectionLimitWarning(10_000, 20_000), undefined);
    assert.match(connectionLimitWarning(20_000, 20_000) ?? '', /COFFER_MAX_CONNECTIONS is 20000 but this process may open only 20000 files/);
    assert.equal(connectionLimitWarning(20_000, 65_536), undefined);
    // This machine's own limit reads as a number on Linux.
    if (process.platform === 'linux') assert.equal(typeof openFilesLimit(), 'number');
  });
});
