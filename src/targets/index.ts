export {
  COMPARATORS,
  LATENCY_STATS,
  TARGET_STATS,
  TARGET_SYNTAX,
  TargetParseError,
  parseTarget,
  statUnit,
  wantsLess,
  type Comparator,
  type LatencyStat,
  type TargetSpec,
  type TargetStat,
  type TargetUnit,
} from './parse.js';
export {
  BASELINE_SNAPSHOT,
  evaluateGate,
  evaluateTarget,
  evaluateTargets,
  measure,
  meets,
  statusOf,
  type GateOptions,
} from './evaluate.js';
export { SEED_MATRIX, SEED_METRICS, seedCoverage, type SeedMatrixRow, type SeedRowCoverage } from './seed-matrix.js';
