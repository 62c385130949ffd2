// (f) Do the numbers hold still? Five identical runs of the shipped store-retrieve scenario and
// five back-to-back `calibrate --json`, each in its own process as a user would run them; the
// spread is max/min over the runs (goals: p50 of every phase <= 1.3x, harnessOverheadNs <= 1.2x).
// Beside them, mitata timing the same store and retrieve in as many fresh processes: the noise of
// the machine itself in the same minutes, the yardstick for the figures above on a shared host.
//   node bench/spread.mjs            (BENCH_SPREAD_RUNS=5)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dist, median, ns, report, ROOT, table } from './lib.mjs';

const RUNS = Number(process.env.BENCH_SPREAD_RUNS ?? 5);
const BIN = path.join(ROOT, 'bin', 'cluster-bench.js');
const here = fileURLToPath(import.meta.url);

/** In a child process: mitata's p50 of store and retrieve on fresh providers, as JSON on stdout. */
async function mitataChild() {
  const { measure } = await import('mitata');
  const { loadScenario, resolveScenarioRefs } = await import(dist('scenarios/load.js'));
  const { createProviders, initializeAll } = await import(dist('providers/registry.js'));
  const { prepareOperation } = await import(dist('runner/operations.js'));
  const sr = loadScenario(resolveScenarioRefs(['store-retrieve'])[0], { set: [] });
  const deps = { seed: 1, clock: { now: () => performance.now() } };
  const providers = createProviders(sr.providers, deps);
  await initializeAll(providers);
  const ctx = { providers, config: sr.providers, deps, advanceClock: () => undefined };
  const out = {};
  for (const name of ['store', 'retrieve']) {
    const phase = sr.phases.find((p) => p.name === name);
    const op = prepareOperation(phase.op, phase.params, ctx);
    let i = 0;
    out[name] = (await measure(() => op.run(i++), { min_cpu_time: 100e6 })).p50;
  }
  await providers.close();
  process.stdout.write(JSON.stringify(out));
}

if (process.argv[2] === '--mitata-child') {
  await mitataChild();
  process.exit(0);
}

function cli(args, env = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1', ...env }, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`cluster-bench ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const spreadOf = (xs) => Math.max(...xs) / Math.min(...xs);
const x = (v) => `${v.toFixed(2)}x`;
const load = () => os.loadavg()[0].toFixed(2);

const loadBefore = load();
const work = mkdtempSync(path.join(os.tmpdir(), 'cluster-bench-spread-'));
try {
  // Runs, calibrations and mitata interleave, so a busy spell of the machine hits them alike.
  const runs = [];
  const calibrations = [];
  const mitata = [];
  for (let k = 0; k < RUNS; k++) {
    runs.push(cli(['run', 'store-retrieve', '--seed', '1', '--no-save', '--no-gate', '--json'], { CLUSTER_BENCH_CALIBRATION: 'off' }));
    calibrations.push(cli(['calibrate', '--json'], { CLUSTER_BENCH_CACHE_DIR: work }));
    const m = spawnSync(process.execPath, [here, '--mitata-child'], { encoding: 'utf8' });
    if (m.status !== 0) throw new Error(`mitata child failed: ${m.stderr}`);
    mitata.push(JSON.parse(m.stdout));
  }

  const phases = runs[0].scenarios[0].phases.map((p) => p.name);
  const rows = [];
  const phaseSpreads = {};
  for (const name of phases) {
    const ps = runs.map((r) => r.scenarios[0].phases.find((p) => p.name === name));
    const p50s = ps.map((p) => p.latency.p50);
    const modes = [...new Set(ps.map((p) => (p.timing?.mode === 'batch' ? `batch ${p.timing.batchSize}` : p.timing?.mode ?? (p.batchTimed ? 'batch' : 'per-op'))))];
    phaseSpreads[name] = spreadOf(p50s);
    rows.push([`store-retrieve › ${name}`, ps.map((p) => p.timing?.mode ?? '?').join(' '), p50s.map(ns).join('  '), x(spreadOf(p50s)), spreadOf(p50s) <= 1.3 ? 'met' : 'MISSED']);
    if (new Set(ps.map((p) => p.timing?.mode)).size > 1) rows.push(['', `modes differ: ${modes.join(', ')}`, '', '', 'MISSED']);
  }
  for (const name of ['store', 'retrieve']) {
    const v = mitata.map((m) => m[name]);
    rows.push([`mitata ${name} (machine noise)`, '', v.map(ns).join('  '), x(spreadOf(v)), '']);
  }
  const overhead = calibrations.map((c) => c.harnessOverheadNs);
  const calSpread = spreadOf(overhead);
  rows.push(['calibrate harnessOverheadNs', '', overhead.map((v) => `${v} ns`).join('  '), x(calSpread), calSpread <= 1.2 ? 'met' : 'MISSED']);

  console.log(`\n(f) spread of ${RUNS} identical runs, each its own process (max/min; load average ${loadBefore} -> ${load()})\n`);
  console.log(table(['figure', 'timing mode per run', 'p50 per run', 'spread', 'goal'], rows));
  const ci = calibrations.map((c) => (c.harnessOverheadCiNs ? `${c.harnessOverheadCiNs[0]}-${c.harnessOverheadCiNs[1]}` : '?')).join(', ');
  console.log(`\n  goals: every phase's p50 <= 1.3x, harnessOverheadNs <= 1.2x. calibrate's own 95% intervals: ${ci} ns.`);
  console.log('  On a machine shared with other work, compare the spreads with mitata\'s (same minutes, same operations):');
  console.log('  what mitata cannot hold still either is the machine, not the tool.');
  report({
    spread: {
      runs: RUNS,
      phases: phaseSpreads,
      worstPhase: Math.max(...Object.values(phaseSpreads)),
      calibrate: calSpread,
      mitata: { store: spreadOf(mitata.map((m) => m.store)), retrieve: spreadOf(mitata.map((m) => m.retrieve)) },
      medianP50: Object.fromEntries(phases.map((name) => [name, median(runs.map((r) => r.scenarios[0].phases.find((p) => p.name === name).latency.p50))])),
    },
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}
