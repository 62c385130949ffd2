// (b) cluster-bench's median against mitata's and tinybench's for the same calls on the same
// provider instances: memory retrieve and store, the LLM call, and the no-op. Each tool measures
// the very function cluster-bench times (the prepared operation of the built-in scenarios), in
// turn, several times; the figures are medians of the repetitions.
//
// mitata runs twice per repetition. As it comes, it times batches of 4,096 calls (1-20 ms), so a
// scavenge lands in most batches and its p50 is close to the mean including garbage collection.
// Matched, it times batches of as many calls as cluster-bench chose for the operation (its
// `batch_samples`; 1 for an operation cluster-bench times one by one), so both p50s are of
// batches equally likely to hold a collection. The goal (issue 12: within 25 %) is checked
// against the matched run; the other is printed beside it, with both means.
import { measure } from 'mitata';
import { Bench } from 'tinybench';
import { dist, median, noEvents, ns, ratio, report, table } from './lib.mjs';

const { loadScenario, resolveScenarioRefs } = await import(dist('scenarios/load.js'));
const { createProviders, initializeAll } = await import(dist('providers/registry.js'));
const { prepareOperation } = await import(dist('runner/operations.js'));
const { runPhase } = await import(dist('runner/phase.js'));

const REPS = Number(process.env.BENCH_REPS ?? 5);
const TOOL_MS = Number(process.env.BENCH_TOOL_MS ?? 250);

const [srFile, llmFile] = resolveScenarioRefs(['store-retrieve', 'llm-call']);
const sr = loadScenario(srFile, { set: [] });
const llmCall = loadScenario(llmFile, { set: [] });
const phaseOf = (s, name) => s.phases.find((p) => p.name === name);
const noopPhase = { ...phaseOf(sr, 'retrieve'), name: 'noop', op: 'noop' };

const cases = [
  { name: 'memory.retrieve (last 10)', phase: phaseOf(sr, 'retrieve'), iterations: 50_000 },
  { name: 'memory.store', phase: phaseOf(sr, 'store'), iterations: 50_000 },
  { name: 'llm.call', phase: phaseOf(llmCall, 'sequential'), iterations: 10_000 },
  { name: 'noop', phase: noopPhase, iterations: 50_000 },
];

const deps = { seed: 1, clock: { now: () => performance.now() } };
const providers = createProviders(sr.providers, deps);
await initializeAll(providers);
const opCtx = { providers, config: sr.providers, deps, advanceClock: () => undefined };

// Sessions with messages in them, so retrieve has something to return.
{
  const store = prepareOperation('memory.store', phaseOf(sr, 'store').params, opCtx);
  for (let i = 0; i < 5_000; i++) await store.run(i);
}

async function clusterBench(c) {
  // The warm-up (and batch setting) exactly as the shipped scenario has them; only the count grows.
  const phase = { ...c.phase, executor: { kind: 'iterations', iterations: c.iterations, concurrency: 1 } };
  const r = await runPhase(phase, opCtx, noEvents);
  return { p50: r.latency.p50, mean: r.latency.mean, batchTimed: r.batchTimed, batchSize: r.batchSize };
}

function callOf(c) {
  const op = prepareOperation(c.phase.op, c.phase.params, opCtx);
  let i = 0;
  return () => op.run(i++);
}

async function mitataP50(c, batchSize) {
  const s = await measure(callOf(c), { min_cpu_time: TOOL_MS * 1e6 });
  // batch_unroll 1: mitata runs batch_samples / batch_unroll rounds, so its default of 4 would
  // time no call at all in a batch of 1. batch_threshold: batch even a slow call, as
  // cluster-bench did; min_samples: enough samples for a median when each is short.
  const matched = await measure(callOf(c), { min_cpu_time: TOOL_MS * 1e6, batch_samples: batchSize, batch_unroll: 1, batch_threshold: Infinity, min_samples: 200 });
  return { p50: s.p50, avg: s.avg, matchedP50: matched.p50 };
}

async function tinybenchP50(c) {
  const bench = new Bench({ time: TOOL_MS, warmupTime: 50 });
  bench.add(c.name, callOf(c));
  await bench.run();
  const r = bench.tasks[0].result;
  return r.latency.p50 * 1e6;
}

async function bareLoopNs(c) {
  const f = callOf(c);
  const n = Math.min(c.iterations, 20_000);
  for (let k = 0; k < 1_000; k++) await f();
  const t0 = performance.now();
  for (let k = 0; k < n; k++) await f();
  return ((performance.now() - t0) * 1e6) / n;
}

const rows = [];
const figures = {};
for (const c of cases) {
  const cb = [], cbMean = [], mi = [], miAvg = [], miMatched = [], tb = [], bare = [];
  let batch = '';
  // cluster-bench's timing mode for this operation, for mitata's matched run.
  const probe = await clusterBench(c);
  const batchSize = probe.batchTimed ? probe.batchSize : 1;
  for (let r = 0; r < REPS; r++) {
    // The order rotates so that no tool always runs on a warmer (or more fragmented) heap.
    const order = [
      async () => { const x = await clusterBench(c); cb.push(x.p50); cbMean.push(x.mean); batch = x.batchTimed ? `batch ${x.batchSize}` : 'per op'; },
      async () => { const m = await mitataP50(c, batchSize); mi.push(m.p50); miAvg.push(m.avg); miMatched.push(m.matchedP50); },
      async () => tb.push(await tinybenchP50(c)),
      async () => bare.push(await bareLoopNs(c)),
    ];
    for (let k = 0; k < order.length; k++) await order[(k + r) % order.length]();
  }
  const f = { clusterBench: median(cb), clusterBenchMean: median(cbMean), mitata: median(mi), mitataMatched: median(miMatched), mitataAvg: median(miAvg), tinybench: median(tb), bare: median(bare), timing: batch };
  figures[c.name] = f;
  rows.push([c.name, f.timing, ns(f.clusterBench), ns(f.mitataMatched), ratio(f.clusterBench, f.mitataMatched), ns(f.mitata), ratio(f.clusterBench, f.mitata), ns(f.tinybench), ratio(f.clusterBench, f.tinybench), ns(f.clusterBenchMean), ns(f.mitataAvg), ns(f.bare)]);
}
await providers.close();

console.log(`\n(b) median per call, same provider instances, medians of ${REPS} repetitions (${TOOL_MS} ms per tool per repetition)\n`);
console.log(table(['operation', 'cb timing', 'cb p50', 'mitata p50 (matched)', 'cb/matched', 'mitata p50 (4,096)', 'cb/4,096', 'tinybench p50', 'cb/tinybench', 'cb mean', 'mitata avg', 'bare loop mean'], rows));
console.log(`
  cb = cluster-bench through runPhase, each phase's warm-up and batch setting as the shipped
  scenario has them (auto timing mode as in a run). mitata (matched) times batches of as many
  calls as cluster-bench did (1 = one by one); mitata (4,096), as it comes, times batches of 4,096
  calls, so its p50 is a mean over ~1-20 ms that includes garbage collection, while
  cluster-bench's batches last ~25 us and a collection lands in its tail (compare the means);
  tinybench times each call, so its p50 carries a clock read and a promise per call.`);
const subUs = Object.entries(figures).filter(([, f]) => f.mitataMatched < 1_000);
const worst = Math.max(...subUs.map(([, f]) => Math.abs(f.clusterBench / f.mitataMatched - 1)));
console.log(`\n  sub-microsecond operations: worst |cluster-bench/mitata - 1| = ${(worst * 100).toFixed(0)}% (goal <= 25%; mitata matched)`);
report({ peers: figures, subMicrosecondWorstDeviation: worst });
