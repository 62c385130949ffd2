// (d) Memory of recording: RSS after 100,000 and after 1,000,000 recorded operations, each count
// in a fresh child process (so neither inherits the other's heap), for the no-op timed one by one
// (the executor's per-op path: two clock reads and a histogram record each) and for
// memory.retrieve through runPhase (as a run does it). Medians of several children per cell.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dist, mb, median, report, table } from './lib.mjs';

const SIZES = [100_000, 1_000_000];
const KINDS = ['noop per-op', 'memory.retrieve runPhase'];

if (process.argv[2] === '--child') {
  const kind = process.argv[3];
  const n = Number(process.argv[4]);
  const { getGc } = await import(dist('metrics/memory.js'));
  const gc = getGc();
  if (kind === 'noop per-op') {
    const { LatencyRecorder } = await import(dist('metrics/histogram.js'));
    const { newCounters, startExecutor } = await import(dist('runner/executors.js'));
    const latency = new LatencyRecorder();
    const ctx = { op: { fast: true, run: () => Promise.resolve() }, timeoutMs: 60_000, latency, counters: newCounters(), batchSize: 1, stopped: () => false };
    await startExecutor({ kind: 'iterations', iterations: n, concurrency: 1 }, ctx).done;
    if (latency.count !== n) throw new Error(`recorded ${latency.count} of ${n}`);
    latency.summarize();
    latency.destroy();
  } else {
    const { loadScenario, resolveScenarioRefs } = await import(dist('scenarios/load.js'));
    const { createProviders, initializeAll } = await import(dist('providers/registry.js'));
    const { runPhase } = await import(dist('runner/phase.js'));
    const { noEvents } = await import('./lib.mjs');
    const [file] = resolveScenarioRefs(['store-retrieve']);
    const s = loadScenario(file, { set: [] });
    const deps = { seed: 1 };
    const providers = createProviders(s.providers, deps);
    await initializeAll(providers);
    const opCtx = { providers, config: s.providers, deps, advanceClock: () => undefined };
    const phase = { ...s.phases.find((p) => p.name === 'retrieve'), executor: { kind: 'iterations', iterations: n, concurrency: 1 }, batch: 'off' };
    const r = await runPhase(phase, opCtx, noEvents);
    if (r.count !== n) throw new Error(`recorded ${r.count} of ${n}`);
    await providers.close();
  }
  gc();
  const m = process.memoryUsage();
  process.stdout.write(JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, external: m.external }));
} else {
  const CHILDREN = Number(process.env.BENCH_RSS_CHILDREN ?? 3);
  const self = fileURLToPath(import.meta.url);
  const fig = {};
  for (const kind of KINDS) {
    fig[kind] = {};
    for (const n of SIZES) {
      const runs = [];
      for (let c = 0; c < CHILDREN; c++) {
        const r = spawnSync(process.execPath, [self, '--child', kind, String(n)], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`child ${kind} ${n} failed: ${r.stderr}`);
        runs.push(JSON.parse(r.stdout));
      }
      fig[kind][n] = { rss: median(runs.map((x) => x.rss)), heapUsed: median(runs.map((x) => x.heapUsed)), external: median(runs.map((x) => x.external)) };
    }
  }
  console.log(`\n(d) memory after N recorded operations (fresh child per cell, after a forced GC, medians of ${CHILDREN} children)\n`);
  const rows = KINDS.map((k) => {
    const a = fig[k][SIZES[0]];
    const b = fig[k][SIZES[1]];
    return [k, mb(a.rss), mb(b.rss), mb(b.rss - a.rss), mb(b.heapUsed - a.heapUsed)];
  });
  console.log(table(['operations recorded', 'RSS @ 100k', 'RSS @ 1M', 'RSS growth', 'heap growth'], rows));
  const worst = Math.max(...KINDS.map((k) => fig[k][SIZES[1]].rss - fig[k][SIZES[0]].rss));
  console.log(`\n  goal: RSS growth <= 10 MB from 100k to 1M operations; worst ${mb(worst)}`);
  report({ rss: fig, rssGrowthWorst: worst });
}
