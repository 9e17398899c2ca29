import { get, v2 } from './api.js';

// Live updates: a long poll of the project's events (`wait`), with a short pause when the server answers at once,
// so pages that list jobs re-read them as soon as something happens. Listeners get the batch of new events.

const listeners = new Set();
let running = false;
let controller;

export function onEvents(listener) {
  listeners.add(listener);
  start();
  return () => listeners.delete(listener);
}

export function stopLive() {
  running = false;
  controller?.abort();
  listeners.clear();
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function start() {
  if (running) return;
  running = true;
  let marker;
  try {
    const latest = await get(v2('events'), { query: { sort_dir: 'desc', limit: 1 } });
    marker = latest.events?.[0]?.id;
  } catch {
    // The events endpoint is unavailable: pages still refresh on their own timers.
  }
  let wait = 25;
  while (running && listeners.size > 0) {
    const started = Date.now();
    controller = new AbortController();
    try {
      const page = await get(v2('events'), { query: { marker, sort_dir: 'asc', limit: 200, wait }, signal: controller.signal });
      const events = page.events ?? [];
      if (events.length > 0) {
        marker = events[events.length - 1].id;
        for (const listener of [...listeners]) listener(events);
      }
    } catch (error) {
      if (!running) break;
      if (error?.status === 400 && wait) wait = undefined;
      else await sleep(3000);
    }
    // A server that does not hold the request is polled every 2 seconds.
    if (Date.now() - started < 1000) await sleep(2000);
  }
  running = false;
}
