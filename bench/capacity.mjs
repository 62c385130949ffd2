// (f) Capacity search: the built-in simulated LLM with 4 slots x a fixed 10 ms service time, whose
// capacity is exactly 400 requests/s, searched end to end by the real binary with the default
// step length and warm-up (`cluster-bench capacity llm-call --phase sequential --slo "p99 < 50ms"`).
// Prints every step, the capacity found against 400/s, and the wall time of the whole search.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, report, table } from './lib.mjs';

const bin = path.join(ROOT, 'bin/cluster-bench.js');
const args = [
  bin, 'capacity', 'llm-call', '--phase', 'sequential',
  '--set', 'providers.llm.slots=4', '--set', 'providers.llm.latency=10ms',
  '--slo', 'p99 < 50ms', '--start-rate', '100', '--seed', '1', '--no-save', '--json',
];
const t0 = performance.now();
const p = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1' }, maxBuffer: 64 * 1024 * 1024 });
const seconds = (performance.now() - t0) / 1000;
if (p.status !== 0) {
  process.stderr.write(p.stderr);
  throw new Error(`capacity exited ${p.status}`);
}
const c = JSON.parse(p.stdout).scenarios[0].capacity;
console.log(`\n(f) capacity search, simulated LLM with 4 slots x 10 ms (exactly 400 requests/s), SLO p99 < 50ms, default steps\n`);
console.log(
  table(
    ['step', 'stage', 'offered', 'achieved', 'p99', 'verdict'],
    c.steps.map((s) => [s.index, s.stage, `${s.rate}/s`, `${s.achieved.toFixed(0)}/s`, `${(s.latency.p99 / 1e6).toFixed(1)} ms`, s.verdict]),
  ),
);
console.log(`\n  ${c.summary}`);
console.log(`  whole search: ${seconds.toFixed(1)} s, ${c.steps.length} steps`);
console.log('\n  goals: capacity within 10% of 400/s; the whole search under 2 minutes');
report({ capacity: { found: c.capacity ?? null, verdict: c.verdict, seconds, steps: c.steps.length } });
