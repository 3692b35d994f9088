// node:perf_hooks inside a component: the engine's performance clock (read it inside a
// request: at build time reading the clock aborts the engine); observers never fire.
export const performance = globalThis.performance;

export class PerformanceObserver {
  observe() {}

  disconnect() {}
}

export function monitorEventLoopDelay() {
  return { enable() {}, disable() {}, reset() {}, percentile: () => 0, min: 0, max: 0, mean: 0, stddev: 0 };
}

export function createHistogram() {
  return monitorEventLoopDelay();
}

export const constants = {};

export default { performance, PerformanceObserver, monitorEventLoopDelay, createHistogram, constants };
