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

/** A Buffer that can be moved to another thread without copying, and its transfer list. */
export function transferable(buf: Buffer): { data: Buffer; transfer: ArrayBuffer[] } {
  const owned = buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength && buf.byteLength >= 4096;
  const data = owned ? buf : Buffer.from(buf);
  return data.byteLength >= 4096 ? { data, transfer: [data.buffer as ArrayBuffer] } : { data, transfer: [] };
}
