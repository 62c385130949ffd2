/**
 * Which scenarios stay on the main thread whatever --workers says (run and capacity alike):
 * figures that would not add up, or a resource that would be copied once per thread.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenarios/load.js';
import { mainThreadReason } from '../../src/runner/workers.js';

const scenarios = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const load = (name: string, set: string[] = []) => loadScenario(path.join(scenarios, `${name}.yaml`), { set });

describe('mainThreadReason', () => {
  it('stress, with unlimited simulated capacity, may use every thread', () => {
    expect(mainThreadReason(load('stress'))).toBeUndefined();
  });

  it('a simulated server with slots is one queue: N threads would be N servers with N times the capacity', () => {
    expect(mainThreadReason(load('llm-call', ['providers.llm.slots=4']))).toBe(
      'its simulated LLM server has 4 slots behind one queue, and each thread would build a server of its own',
    );
    expect(mainThreadReason(load('llm-call', ['providers.llm.slots=1']))).toContain('1 slot behind one queue');
  });

  it('slots on a real endpoint are the server\'s own business: the threads share it', () => {
    expect(mainThreadReason(load('llm-call', ['providers.llm.slots=4', 'providers.llm.baseUrl=http://127.0.0.1:9/v1']))).toBeUndefined();
  });

  it('heapDelta targets read the heap, which threads do not share', () => {
    expect(mainThreadReason(load('memory'))).toContain('heapDelta');
  });
});
