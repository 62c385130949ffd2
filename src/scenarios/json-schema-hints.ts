/**
 * What the JSON Schema says about the scenario fields that zod parses with a transform
 * (durations, latency models) or checks with a refinement (a vus executor's "exactly one
 * of"): zod cannot see inside those, so without a hint the schema would only say
 * "string or number" and an editor would accept "5 parsecs". schema.ts attaches these with
 * `.meta()` next to the rule they mirror; the patterns are built from the same regular
 * expression the parser uses (util/units.ts), so the two cannot disagree on what a
 * duration is. Every hint is only ever as strict as the loader or looser: a document the
 * schema rejects, the loader rejects too (test/scenarios/json-schema.test.ts holds them to it).
 */
import { DURATION_HELP, DURATION_RE } from '../util/units.js';

/** The duration regex without its anchors, to embed in larger patterns. */
function durationBody(): string {
  const source = DURATION_RE.source;
  if (!source.startsWith('^') || !source.endsWith('$')) throw new Error('DURATION_RE must be anchored with ^...$');
  return source.slice(1, -1);
}

const DURATION = durationBody();

/** A duration ("250us", "5ms", "1.5s", "10m", "1h") or a number of milliseconds >= 0. */
export const durationJson = {
  description: `${DURATION_HELP}; a bare number is milliseconds`,
  pattern: `^${DURATION}$`,
  minimum: 0,
};

/** The same, above zero: the lookahead asks for a non-zero digit in the number. */
export const positiveDurationJson = {
  description: `${DURATION_HELP}, above 0; a bare number is milliseconds`,
  pattern: `^(?=\\s*[\\d.]*[1-9])${DURATION}$`,
  exclusiveMinimum: 0,
};

/**
 * A latency model: none, a fixed duration, or uniform/normal/lognormal of two durations.
 * The ordering rules (uniform min <= max, lognormal 0 < p50 < p99) stay with the parser.
 */
export const latencyJson = {
  description:
    'latency model of the simulated LLM: none, a fixed duration like 5ms, uniform(2ms,8ms), normal(mean,stddev) like normal(5ms,1ms), or lognormal(p50,p99) like lognormal(5ms,20ms); a bare number is milliseconds',
  pattern: `^\\s*(?:none|0|${DURATION}|(?:uniform|normal|lognormal)\\s*\\(${DURATION},${DURATION}\\))\\s*$`,
  minimum: 0,
};

/** "Exactly one of these keys" (a refinement in zod) as JSON Schema. */
export function exactlyOneOfJson(...keys: string[]): { oneOf: Array<{ required: string[] }> } {
  return { oneOf: keys.map((k) => ({ required: [k] })) };
}

/**
 * A rate executor needs a rate and a duration, unless its arrivals come from a trace, which
 * then needs the trace file (a refinement in zod, as JSON Schema's if/then/else).
 */
export const rateArrivalJson = {
  if: { properties: { arrival: { const: 'trace' } }, required: ['arrival'] },
  then: { required: ['trace'] },
  else: { required: ['rate', 'duration'] },
};

/** The scenario's `workers`: auto, or a whole number of threads from 1 to 1024 (a z.custom, opaque to zod). */
export const workersJson = {
  anyOf: [{ const: 'auto' }, { type: 'integer', minimum: 1, maximum: 1024 }],
};
