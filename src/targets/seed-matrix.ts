/**
 * The seed report's target-metrics matrix, kept as data so reports can show which of its
 * rows a run covered and how. The texts are the seed's own (see shared seed/README.md);
 * scenario targets name their row through `metric`, which must match these names exactly.
 */
import type { ScenarioResult, TargetResult } from '../results/types.js';

export interface SeedMatrixRow {
  metric: string;
  /** The seed's "current performance" cell. */
  current: string;
  /** The seed's "target performance" cell. */
  target: string;
  /** The status the seed's own table gave the row. */
  seedStatus: 'needs work' | 'met';
  /** How the row maps onto what this tool measures. */
  note: string;
}

export const SEED_MATRIX: readonly SeedMatrixRow[] = [
  {
    metric: 'provider initialization',
    current: '< 15 ms',
    target: '< 10 ms',
    seedStatus: 'needs work',
    note: 'new + initialize() of a provider',
  },
  {
    metric: 'LLM call response',
    current: '< 50 ms',
    target: '< 30 ms',
    seedStatus: 'needs work',
    note: 'one LLM call; the seed simulated it (no network)',
  },
  {
    metric: 'memory store',
    current: '< 1 ms per 100 messages',
    target: '< 0.5 ms per 100 messages',
    seedStatus: 'met',
    note: 'a store of 100 messages, e.g. a batch-100 phase',
  },
  {
    metric: 'memory retrieve',
    current: '< 0.5 ms per call',
    target: '< 0.2 ms per call',
    seedStatus: 'met',
    note: 'one retrieve of the last 10 messages of a session',
  },
  {
    metric: 'agent execution',
    current: '< 100 ms',
    target: '< 50 ms',
    seedStatus: 'needs work',
    note: 'one multi-turn execution with tool calls',
  },
  {
    metric: 'concurrent throughput',
    current: '1000 req/s',
    target: '2000 req/s',
    seedStatus: 'needs work',
    note: 'agent executions per second under concurrent users',
  },
  {
    metric: 'memory usage',
    current: '< 20 MB',
    target: '< 15 MB',
    seedStatus: 'met',
    note: 'heap growth over the baseline after a forced GC',
  },
];

export const SEED_METRICS: readonly string[] = SEED_MATRIX.map((r) => r.metric);

export interface SeedRowCoverage {
  row: SeedMatrixRow;
  /** Every target of the run that reports on this row, with the scenario it came from. */
  targets: Array<{ scenario: string; target: TargetResult }>;
}

/** For each seed row, the run's targets that name it; an empty list means not covered. */
export function seedCoverage(scenarios: readonly ScenarioResult[]): SeedRowCoverage[] {
  return SEED_MATRIX.map((row) => ({
    row,
    targets: scenarios.flatMap((s) =>
      s.targets.filter((t) => measuresRow(t.metric, row.metric)).map((target) => ({ scenario: s.name, target })),
    ),
  }));
}

/**
 * A target measures a seed row when its metric is the row's name, or the name followed by a
 * qualifier: "provider initialization (agent)", "memory store (per 100 messages)".
 */
export function measuresRow(metric: string, row: string): boolean {
  const m = metric.trim().toLowerCase();
  const r = row.toLowerCase();
  return m === r || m.startsWith(`${r} (`);
}
