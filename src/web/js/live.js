import { get, v2 } from './api.js';

// Live updates: a long poll of the project's events (`wait`), with a short pause when the server answers at once,
// so pages that list jobs re-read them as soon as something happens. Listeners get the batch of new events.

const listeners = new Set();
let generation = 0;
let running = false;
let controller;

export function onEvents(listener) {
  listeners.add(listener);
  if (!running) start();
  return () => listeners.delete(listener);
}

/** Ends the poll (each page starts its own): a poll of an earlier page never outlives it. */
export function stopLive() {
  generation++;
  running = false;
  controller?.abort();
  listeners.clear();
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function start() {
  running = true;
  const mine = ++generation;
  const current = () => mine === generation && listeners.size > 0;
  let marker;
  try {
    const latest = await get(v2('events'), { query: { sort_dir: 'desc', limit: 1 } });
    marker = latest.events?.[0]?.id;
  } catch {
    // The events endpoint is unavailable: pages still work, without live updates.
  }
  let wait = 25;
  while (current()) {
    const started = Date.now();
    controller = new AbortController();
    try {
      const page = await get(v2('events'), { query: { marker, sort_dir: 'asc', limit: 200, wait }, signal: controller.signal });
      const events = page.events ?? [];
      if (events.length > 0) {
        marker = events[events.length - 1].id;
        if (current()) for (const listener of [...listeners]) listener(events);
      }
    } catch (error) {
      if (!current()) break;
      if (error?.status === 400 && wait) wait = undefined;
      else await sleep(3000);
    }
    // A server that does not hold the request is polled every 2 seconds.
    if (Date.now() - started < 1000) await sleep(2000);
  }
  if (mine === generation) running = false;
}
