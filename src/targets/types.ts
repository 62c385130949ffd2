import type { TargetResult } from '../results/types.js';

/** A parsed target expression: everything of a TargetResult except what a run measures. */
export type TargetSpec = Omit<TargetResult, 'measured' | 'status'>;
