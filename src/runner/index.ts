export { runScenario, type RunOptions } from './scenario.js';
export type { RunEvent, RunEventListener, ProgressSnapshot } from './events.js';
export { classifyError, describeError } from './errors.js';
