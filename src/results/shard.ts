/**
 * Shard files: what identifies the run they belong to, and the checks `merge` makes before
 * it joins them. Pure; the CLI reads the files and prints the refusals.
 */
import { createHash } from 'node:crypto';
import type { Scenario } from '../scenarios/types.js';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/**
 * Identifies what the shards ran: the resolved scenarios (after --set and --duration), less
 * where their files lay on each machine. Shards of one run must agree on it.
 */
export function scenarioHash(scenarios: readonly Scenario[]): string {
  const body = scenarios.map(({ source: _source, ...rest }) => canonical(rest));
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}
