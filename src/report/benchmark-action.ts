/**
 * The JSON array github-action-benchmark reads with its custom tools:
 * [{ name, unit, value, range?, extra? }]. The action takes one direction per file, so the
 * renderer writes one of two entry sets (RenderOptions.benchmarkTool):
 *  - customSmallerIsBetter (default): latency p50 and p99 of every phase, in ms;
 *  - customBiggerIsBetter: throughput of every phase, in operations/s.
 * With per-trial figures (`run --trials N`), `range` is "± the standard deviation of the
 * trials"; `extra` says how the figure was made (operations, errors, trials, Node, commit).
 */
import type { PhaseResult, RunResult, ScenarioResult } from '../results/types.js';
import type { BenchmarkTool, RenderOptions, Renderer } from './types.js';
import { significant } from '../util/units.js';

export interface BenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

/** 4 significant figures: enough for a trend chart, short enough to read. */
function round(v: number): number {
  return significant(v, 4);
}

function stddev(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
}

type Figure = 'p50' | 'p99' | 'throughput';

function trialSpread(scenario: ScenarioResult, phase: PhaseResult, figure: Figure, scale: number): string | undefined {
  const values = (scenario.trials ?? [])
    .map((t) => t.phases.find((p) => p.name === phase.name))
    .filter((p) => p !== undefined && (figure === 'throughput' || p.count > p.errors))
    .map((p) => p![figure] * scale);
  return values.length >= 2 ? `± ${round(stddev(values))}` : undefined;
}

function extra(result: RunResult, scenario: ScenarioResult, phase: PhaseResult): string {
  const parts = [
    `${phase.count} operations`,
    `${phase.errors} errors`,
    `${scenario.trials?.length ?? 1} trial${(scenario.trials?.length ?? 1) === 1 ? '' : 's'}`,
    `Node.js ${result.environment.node}`,
    ...(result.environment.gitCommit !== undefined ? [`commit ${result.environment.gitCommit}`] : []),
    ...(scenario.providers.llm.simulated ? ['simulated LLM'] : []),
    ...(result.interrupted || phase.interrupted === true ? ['interrupted: partial'] : []),
  ];
  return parts.join(', ');
}

export function benchmarkEntries(results: readonly RunResult[], tool: BenchmarkTool): BenchmarkEntry[] {
  const entries: BenchmarkEntry[] = [];
  const seen = new Map<string, number>();
  const unique = (name: string): string => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name} (${n})`;
  };
  for (const result of results) {
    for (const scenario of result.scenarios) {
      for (const phase of scenario.phases) {
        const base = `${scenario.name}/${phase.name}`;
        const figures: Array<[Figure, string, number, number]> =
          tool === 'customBiggerIsBetter'
            ? [['throughput', 'ops/s', phase.throughput, 1]]
            : phase.latency.count > 0
              ? [
                  ['p50', 'ms', phase.latency.p50 / 1e6, 1e-6],
                  ['p99', 'ms', phase.latency.p99 / 1e6, 1e-6],
                ]
              : [];
        for (const [figure, unit, value, scale] of figures) {
          const range = trialSpread(scenario, phase, figure, scale);
          entries.push({
            name: unique(`${base} ${figure}`),
            unit,
            value: round(value),
            ...(range !== undefined ? { range } : {}),
            extra: extra(result, scenario, phase),
          });
        }
      }
    }
  }
  return entries;
}

function renderAll(results: readonly RunResult[], opts: RenderOptions): string {
  return JSON.stringify(benchmarkEntries(results, opts.benchmarkTool ?? 'customSmallerIsBetter'), null, 2) + '\n';
}

export const benchmarkActionRenderer: Renderer = {
  render: (result, opts) => renderAll([result], opts),
  renderAll,
};
