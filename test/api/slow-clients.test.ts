import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { loadServerConfig } from '../../src/config.js';
import { assertConnectionLimits } from '../../src/server/connection-limits.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { PROJECT, userToken } from '../helpers/fixtures.js';

/*
 * Slowloris: many connections that send their headers one byte at a time must not hold the server. They are answered
 * 408 and dropped once the header timeout has passed, and meanwhile a normal request is answered at once. Long polls
 * (which outlast the header timeout) still work, because the request timeout exceeds the longest long poll.
 */

const SLOW_SOCKETS = 1500;
const HEADERS_TIMEOUT_S = 3;
const LONG_POLL_S = 4;

let t: TestServer;
let observer: string;

before(async () => {
  t = await startTestServer({ headersTimeoutSeconds: HEADERS_TIMEOUT_S, requestTimeoutSeconds: LONG_POLL_S + 2, maxLongPollSeconds: LONG_POLL_S });
  observer = await userToken(t, 'observer');
});
after(async () => t.close());

interface SlowSocket {
  socket: net.Socket;
  openedAt: number;
  closedAt?: number;
  answer: string;
}

function openSlow(port: number): Promise<SlowSocket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const slow: SlowSocket = { socket, openedAt: 0, answer: '' };
    socket.once('connect', () => {
      slow.openedAt = Date.now();
      socket.write(`GET /v2/${PROJECT}/agents HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: `);
      resolve(slow);
    });
    socket.on('data', (chunk) => (slow.answer += chunk.toString('latin1')));
    socket.on('close', () => (slow.closedAt ??= Date.now()));
    socket.once('error', (err) => (slow.openedAt ? undefined : reject(err)));
  });
}

async function timed(path: string): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  const res = await t.request('GET', path, { token: observer });
  return { ms: performance.now() - started, status: res.status };
}

describe('slow clients', { timeout: 120_000 }, () => {
  it(`${SLOW_SOCKETS} connections trickling headers do not hold the server, and are dropped after the header timeout`, async (context) => {
    const port = Number(new URL(t.url).port);
    const idle = await timed(`/v2/${PROJECT}/agents`);
    assert.equal(idle.status, 200);

    const sockets: SlowSocket[] = [];
    // In batches, so the listen backlog is not what limits the test.
    for (let i = 0; i < SLOW_SOCKETS; i += 250) {
      sockets.push(...(await Promise.all(Array.from({ length: Math.min(250, SLOW_SOCKETS - i) }, () => openSlow(port)))));
    }
    const trickle = setInterval(() => {
      for (const slow of sockets) if (slow.closedAt === undefined && !slow.socket.destroyed) slow.socket.write('a');
    }, 250);
    try {
      const during = await timed(`/v2/${PROJECT}/agents`);
      assert.equal(during.status, 200);
      assert.ok(during.ms < 2_000, `a normal request took ${during.ms.toFixed(0)} ms with ${SLOW_SOCKETS} slow connections open (idle: ${idle.ms.toFixed(0)} ms)`);
      const stillOpen = sockets.filter((s) => s.closedAt === undefined).length;
      assert.ok(stillOpen > SLOW_SOCKETS * 0.9, `the slow connections were accepted (${stillOpen} open)`);

      // Every slow connection is closed by the server within the header timeout plus the once-a-second check.
      const deadline = Date.now() + (HEADERS_TIMEOUT_S + 10) * 1000;
      while (sockets.some((s) => s.closedAt === undefined) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      const open = sockets.filter((s) => s.closedAt === undefined).length;
      assert.equal(open, 0, `${open} slow connections still open ${HEADERS_TIMEOUT_S + 10} s after they started`);
      const lifetimes = sockets.map((s) => s.closedAt! - s.openedAt);
      assert.ok(Math.min(...lifetimes) >= HEADERS_TIMEOUT_S * 1000 - 250, `none is dropped before the header timeout (shortest: ${Math.min(...lifetimes)} ms)`);
      const answered408 = sockets.filter((s) => s.answer.startsWith('HTTP/1.1 408')).length;
      assert.ok(answered408 > SLOW_SOCKETS * 0.9, `the server answered 408 (${answered408} of ${SLOW_SOCKETS})`);
      assert.ok(
        sockets.every((s) => !s.answer.includes('"agents"')),
        'no trickled request reached a route',
      );

      context.diagnostic(
        `normal request: ${idle.ms.toFixed(0)} ms idle, ${during.ms.toFixed(0)} ms with ${SLOW_SOCKETS} slow connections; they lived ${Math.min(...lifetimes)}–${Math.max(...lifetimes)} ms`,
      );
      const afterwards = await timed(`/v2/${PROJECT}/agents`);
      assert.equal(afterwards.status, 200);
    } finally {
      clearInterval(trickle);
      for (const slow of sockets) slow.socket.destroy();
    }
  });

  it('a long poll longer than the header timeout is answered when its wait ends', async () => {
    const started = Date.now();
    const res = await t.request('GET', `/v2/${PROJECT}/events?wait=${LONG_POLL_S}&marker=999999999`, { token: observer });
    const waited = Date.now() - started;
    assert.equal(res.status, 200, res.text);
    assert.ok(waited >= LONG_POLL_S * 1000 - 200, `the poll waited ${waited} ms`);
  });

  it('the request timeout must exceed the header timeout and the longest long poll', () => {
    const limits = (env: Record<string, string>) => () => assertConnectionLimits(loadServerConfig(env));
    assert.throws(limits({ COFFER_MAX_LONG_POLL_SECONDS: '60', COFFER_REQUEST_TIMEOUT_SECONDS: '60' }), /COFFER_REQUEST_TIMEOUT_SECONDS \(60\) must be more than COFFER_MAX_LONG_POLL_SECONDS \(60\)/);
    assert.throws(limits({ COFFER_HEADERS_TIMEOUT_SECONDS: '90', COFFER_REQUEST_TIMEOUT_SECONDS: '90' }), /must be more than COFFER_HEADERS_TIMEOUT_SECONDS/);
    assert.throws(limits({ COFFER_HEADERS_TIMEOUT_SECONDS: '0' }), /at least 1/);
    assert.doesNotThrow(limits({}));
    const defaults = loadServerConfig({});
    assert.deepEqual([defaults.headersTimeoutSeconds, defaults.requestTimeoutSeconds, defaults.keepAliveTimeoutSeconds, defaults.maxConnections], [20, 300, 5, 10_000]);
  });
});
