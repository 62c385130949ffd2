import { describe, expect, it } from 'vitest';
import { parseRunResult } from '../../src/results/parse.js';
import { userErrorExitCode } from '../../src/errors.js';
import { InputError } from '../../src/util/input-error.js';
import { FIXTURE } from '../report/fixture.js';

function without(path: string[]): unknown {
  const copy = JSON.parse(JSON.stringify(FIXTURE));
  let obj = copy;
  for (const key of path.slice(0, -1)) obj = obj[key];
  delete obj[path[path.length - 1]!];
  return copy;
}

describe('parseRunResult', () => {
  it('reads a result back', () => {
    expect(parseRunResult(JSON.stringify(FIXTURE), 'r.json')).toEqual(FIXTURE);
  });

  it.each<[string, string, RegExp]>([
    ['not JSON', '{"schemaVersion": 1,', /^r\.json: not valid JSON \(/],
    ['a list', '[]', /^r\.json: expected a JSON object$/],
    ['another JSON file', '{"name": "package"}', /^r\.json: no "schemaVersion" and "scenarios": not a cluster-bench result$/],
    ['a newer schema', JSON.stringify({ ...FIXTURE, schemaVersion: 2 }), /^r\.json: result schema version 2 is not supported \(this cluster-bench reads version 1\)$/],
    ['no environment', JSON.stringify(without(['environment'])), /^r\.json: environment: expected an object$/],
    ['a phase without latency', JSON.stringify(without(['scenarios', '0', 'phases', '1', 'latency'])), /^r\.json: scenarios\.0\.phases\.1\.latency: expected an object$/],
    ['a histogram missing', JSON.stringify(without(['scenarios', '1', 'phases', '0', 'latency', 'histogram'])), /^r\.json: scenarios\.1\.phases\.0\.latency\.histogram: expected a string$/],
    ['errors by kind missing', JSON.stringify(without(['scenarios', '0', 'phases', '0', 'errorsByKind'])), /^r\.json: scenarios\.0\.phases\.0\.errorsByKind: expected an object$/],
    ['no executor', JSON.stringify(without(['scenarios', '0', 'phases', '0', 'executor'])), /^r\.json: scenarios\.0\.phases\.0\.executor: expected an object$/],
    ['no LLM provider', JSON.stringify(without(['scenarios', '0', 'providers', 'llm'])), /^r\.json: scenarios\.0\.providers\.llm: expected an object$/],
    ['gate without counts', JSON.stringify(without(['gate', 'counts'])), /^r\.json: gate\.counts: expected an object$/],
    ['a target without thresholds', JSON.stringify(without(['scenarios', '0', 'targets', '0', 'target'])), /^r\.json: scenarios\.0\.targets\.0\.target: expected a number$/],
  ])('%s: one line naming the file', (_name, text, message) => {
    let error: unknown;
    try {
      parseRunResult(text, 'r.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect(userErrorExitCode(error)).toBe(2);
    expect((error as InputError).message).toMatch(message);
    expect((error as InputError).message).not.toContain('\n');
  });
});
