// node:v8 inside a component: heap statistics report zeros (the engine is SpiderMonkey).
export function getHeapStatistics() {
  return { total_heap_size: 0, used_heap_size: 0, heap_size_limit: 0, total_available_size: 0, malloced_memory: 0 };
}

export function getHeapSpaceStatistics() {
  return [];
}

export function setFlagsFromString() {}

export default { getHeapStatistics, getHeapSpaceStatistics, setFlagsFromString };
