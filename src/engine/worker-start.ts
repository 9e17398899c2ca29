import { Worker } from 'node:worker_threads';

/**
 * Starts an engine worker from a module next to the caller: the compiled `.js` file, or the TypeScript source
 * through tsx when the engine itself runs from source (tests, development).
 */
export function startEngineWorker(callerUrl: string, moduleName: string, workerData: unknown): Worker {
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`./${moduleName}.js`, callerUrl), { workerData });
  const source = new URL(`./${moduleName}.ts`, callerUrl).href;
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

const TRANSFER_MIN = 4096;

/**
 * A Buffer that can be moved to another thread without copying, and its transfer list. A view of part of a larger
 * memory block is copied first into a block of its own (not with Buffer.from: since Node 24 that copy may come from
 * a shared pool, whose memory cannot be transferred); small buffers are simply cloned with the message.
 */
export function transferable(buf: Buffer): { data: Buffer; transfer: ArrayBuffer[] } {
  if (buf.byteLength < TRANSFER_MIN) return { data: buf, transfer: [] };
  const owned = buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength;
  const data = owned ? buf : Buffer.from(new Uint8Array(buf).buffer);
  return { data, transfer: [data.buffer as ArrayBuffer] };
}
