/** Small scenario files the command tests run (in-process and spawned). */

/** 200 LLM calls 4 at a time and 100 agent executions; both targets green on any machine. */
export const SMALL_SCENARIO = `
name: small
description: a tiny scenario for command tests
providers:
  llm: { latency: none }
phases:
  - name: calls
    op: llm.call
    executor: { type: iterations, iterations: 200, concurrency: 4 }
  - name: agent
    op: agent.execute
    executor: { type: vus, vus: 5, iterationsPerVu: 20 }
targets:
  - metric: LLM call response
    expr: "calls p99 < 10s / < 5s"
  - metric: agent count
    expr: "agent count >= 100 / >= 100"
`;

/**
 * `iterations` simulated LLM calls of a fixed 2 ms, one at a time: fast, and a slowdown set
 * with --set providers.llm.latency=... stands far out of run-to-run noise.
 */
export function tinyScenario(iterations: number): string {
  return `
name: tiny
description: ${iterations} simulated LLM calls of 2 ms, one at a time
providers:
  llm: { latency: 2ms }
phases:
  - name: calls
    op: llm.call
    executor: { type: iterations, iterations: ${iterations} }
    warmup: 10
targets:
  - metric: LLM call response
    expr: "calls p99 < 10s / < 5s"
`;
}
