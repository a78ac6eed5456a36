/**
 * A worker thread that rewrites a SharedArrayBuffer view with values drawn from `values`, in a tight loop of
 * plain stores, until stopped: the "another thread changes the columns during the call" of issue 7, for
 * scenarios.mjs and fuzz.mjs.
 */
import { Worker } from 'node:worker_threads';

/** Starts rewriting `view`; returns a function that stops the worker (and resolves once it has ended). */
export function startRewriter(view, values) {
  const stop = new SharedArrayBuffer(4);
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     const { buffer, byteOffset, length, type, values, stop } = workerData;
     const view = new globalThis[type](buffer, byteOffset, length);
     const flag = new Int32Array(stop);
     let seed = 7;
     for (let k = 0; Atomics.load(flag, 0) === 0; k = (k + 7919) % view.length) {
       seed = (seed * 1103515245 + 12345) >>> 0;
       view[k] = values[seed % values.length];
       if ((k & 65535) === 0) view.fill(values[0]);
     }`,
    {
      eval: true,
      workerData: { buffer: view.buffer, byteOffset: view.byteOffset, length: view.length, type: view.constructor.name, values, stop },
    },
  );
  return async () => {
    Atomics.store(new Int32Array(stop), 0, 1);
    await worker.terminate();
  };
}
