// node:worker_threads inside a component: there are no threads (WASI has none here); the
// module loads (loggers import it for optional transports), and the code runs as the main
// thread; starting a Worker fails naming why.
export const isMainThread = true;
export const parentPort = null;
export const workerData = null;
export const threadId = 0;
export const resourceLimits = {};

export class Worker {
  constructor() {
    throw new Error('worker_threads.Worker is not available in a Fabricks component: a component has no threads');
  }
}

export class MessageChannel {
  constructor() {
    throw new Error('worker_threads.MessageChannel is not available in a Fabricks component');
  }
}

export function markAsUntransferable() {}
export function receiveMessageOnPort() {
  return undefined;
}

export default { isMainThread, parentPort, workerData, threadId, resourceLimits, Worker, MessageChannel, markAsUntransferable, receiveMessageOnPort };
