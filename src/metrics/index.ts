export { LatencyRecorder, decodeRecorder, mergeEncoded, HIGHEST_TRACKABLE_NS } from './histogram.js';
export { heapAfterGc, getGc, type HeapReading } from './memory.js';
export { describeEnvironment } from './environment.js';
