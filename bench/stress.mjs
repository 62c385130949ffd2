// (c) Stress throughput against a bare loop doing the same provider work: the built-in stress
// scenario's load phase (1,000 virtual users x 100 agent.execute) through cluster-bench's runner,
// and 1,000 concurrent async loops x 100 agent.execute with no timing at all, each on fresh
// providers built from the same config (memory state would otherwise carry over). Both get the
// same 1,000 unrecorded warm-up executions. Then, once, the real binary end to end.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, dist, median, noEvents, ratio, report, table } from './lib.mjs';

const { loadScenario, resolveScenarioRefs } = await import(dist('scenarios/load.js'));
const { createProviders, initializeAll } = await import(dist('providers/registry.js'));
const { prepareOperation } = await import(dist('runner/operations.js'));
const { runPhase } = await import(dist('runner/phase.js'));

const REPS = Number(process.env.BENCH_STRESS_REPS ?? 3);
const [file] = resolveScenarioRefs(['stress']);
const scenario = loadScenario(file, { set: [] });
const phase = scenario.phases[0];
const { vus, iterationsPerVu } = phase.executor;
const total = vus * iterationsPerVu;

async function fresh(seed) {
  const deps = { seed, clock: { now: () => performance.now() } };
  const providers = createProviders(scenario.providers, deps);
  await initializeAll(providers);
  return { providers, opCtx: { providers, config: scenario.providers, deps, advanceClock: () => undefined } };
}

async function viaRunner(seed) {
  const { providers, opCtx } = await fresh(seed);
  try {
    const r = await runPhase(phase, opCtx, noEvents);
    if (r.errors > 0) throw new Error(`stress phase had ${r.errors} errors`);
    return r.throughput;
  } finally {
    await providers.close();
  }
}

async function bareLoop(seed) {
  const { providers, opCtx } = await fresh(seed);
  try {
    const op = prepareOperation(phase.op, phase.params, opCtx);
    let next = 0;
    const loops = (count, perLoop, base) =>
      Promise.all(Array.from({ length: count }, async () => {
        for (let k = 0; k < perLoop; k++) await op.run(base + next++);
      }));
    await loops(Math.min(vus, phase.warmup), Math.ceil(phase.warmup / Math.min(vus, phase.warmup)), 1e9);
    next = 0;
    const t0 = performance.now();
    await loops(vus, iterationsPerVu, 0);
    return total / ((performance.now() - t0) / 1000);
  } finally {
    await providers.close();
  }
}

const runner = [];
const bare = [];
for (let r = 0; r < REPS; r++) {
  if (r % 2 === 0) {
    runner.push(await viaRunner(r + 1));
    bare.push(await bareLoop(r + 1));
  } else {
    bare.push(await bareLoop(r + 1));
    runner.push(await viaRunner(r + 1));
  }
}

// End to end, as a user runs it (one process, one thread: the bare loop is one thread too; the
// workers section compares threads; progress off, gate off).
const e2e = spawnSync(process.execPath, [path.join(ROOT, 'bin/cluster-bench.js'), 'run', 'stress', '--workers', '1', '--json', '--no-gate', '--seed', '1'], {
  encoding: 'utf8',
  env: { ...process.env, CI: '1', NO_COLOR: '1', CLUSTER_BENCH_CALIBRATION: 'off' },
  maxBuffer: 64 * 1024 * 1024,
});
let binary = NaN;
try {
  binary = JSON.parse(e2e.stdout).scenarios[0].phases[0].throughput;
} catch {
  console.error(`  (binary run failed: exit ${e2e.status}) ${e2e.stderr.slice(-500)}`);
}

const fig = { runner: median(runner), bare: median(bare), binary };
const k = (v) => `${Math.round(v).toLocaleString('en-US')} req/s`;
console.log(`\n(c) stress: ${vus.toLocaleString('en-US')} users x ${iterationsPerVu} agent.execute = ${total.toLocaleString('en-US')} requests, medians of ${REPS} repetitions\n`);
console.log(
  table(
    ['', 'throughput', 'ratio to bare loop'],
    [
      ['cluster-bench runner (runPhase)', k(fig.runner), ratio(fig.runner, fig.bare)],
      ['bare loop, same provider work', k(fig.bare), '1.00x'],
      ['`cluster-bench run stress --workers 1` (binary, 1 run)', k(fig.binary), ratio(fig.binary, fig.bare)],
    ],
  ),
);
console.log(`\n  goal: >= 0.8x the bare loop (one thread is bounded by the providers; 40,000 req/s is for every core: the workers section)`);
report({ stress: fig });
