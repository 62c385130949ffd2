// (a) Harness overhead per operation, per executor, against a bare `await op()` loop of the same
// no-op at the same concurrency, in the same process: the measurement `cluster-bench calibrate`
// makes, with more repetitions and operations.
import { dist, ns, report, table } from './lib.mjs';

const { calibrate } = await import(dist('runner/calibrate.js'));
// More pairs than `calibrate` takes, of the same short windows (a GC before each; see calibrate.ts).
const reps = Number(process.env.BENCH_PAIRS ?? 121);
const r = await calibrate({ repetitions: reps, idleMs: 100 });

console.log(`\n(a) harness overhead per operation (noop), medians of ${r.repetitions} paired windows x ${r.opsPerRepetition.toLocaleString('en-US')} ops\n`);
console.log(
  table(
    ['executor', 'executor ns/op', 'bare loop ns/op', 'overhead', 'ratio'],
    r.executors.map((e) => [e.label, ns(e.executorNs), `${ns(e.bareNs)}${e.concurrency > 1 ? ` (x${e.concurrency})` : ''}`, ns(e.overheadNs), `${e.ratio.toFixed(2)}x`]),
  ),
);
const clock = r.clocks.map((c) => `${c.name} ${c.costNs.toFixed(0)} ns/read`).join(', ');
console.log(`\n  headline harnessOverheadNs = ${r.harnessOverheadNs} ns (95% interval ${r.harnessOverheadCiNs.join('-')} ns; goal <= 150); batch-timed ${r.batchOverheadNs} ns/op; clocks: ${clock}`);
report({ harnessOverheadNs: r.harnessOverheadNs, batchOverheadNs: r.batchOverheadNs, executors: r.executors });
