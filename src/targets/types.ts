import type { TargetResult } from '../result.js';

/** A parsed target expression: everything of a TargetResult except what a run measures. */
export type TargetSpec = Omit<TargetResult, 'measured' | 'status'>;
