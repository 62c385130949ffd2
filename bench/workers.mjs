// (f) More cores: `cluster-bench run stress` (1,000 users x 100 agent requests) with --workers 1
// and with --workers auto, side by side in one run, alternating, medians of several runs of the
// real binary each. Goals (issue 9): auto >= 1.7x the single thread, and >= 36,000 req/s on
// two idle cores. Only meaningful on an otherwise idle machine: the load average is printed.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { ROOT, median, ratio, report, table } from './lib.mjs';

const REPS = Number(process.env.BENCH_WORKERS_REPS ?? 3);

function stress(workers, seed) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/cluster-bench.js'), 'run', 'stress', '--workers', workers, '--json', '--no-save', '--no-gate', '--seed', String(seed)], {
    encoding: 'utf8',
    env: { ...process.env, CI: '1', NO_COLOR: '1', CLUSTER_BENCH_CALIBRATION: 'off' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`run stress --workers ${workers} failed (exit ${r.status}): ${r.stderr.slice(-400)}`);
  const s = JSON.parse(r.stdout).scenarios[0];
  const p = s.phases[0];
  if (p.errors > 0) throw new Error(`run stress --workers ${workers}: ${p.errors} errors`);
  return { throughput: p.throughput, threads: s.execution?.workers ?? 1 };
}

const load = os.loadavg()[0];
const one = [];
const auto = [];
let threads = 1;
for (let r = 0; r < REPS; r++) {
  // Alternate the order, so a slow spell of the machine does not land on one side only.
  const pair = r % 2 === 0 ? ['1', 'auto'] : ['auto', '1'];
  for (const w of pair) {
    const m = stress(w, r + 1);
    if (w === '1') one.push(m.throughput);
    else {
      auto.push(m.throughput);
      threads = m.threads;
    }
  }
}

const fig = { one: median(one), auto: median(auto), threads, loadAverage: load };
const k = (v) => `${Math.round(v).toLocaleString('en-US')} req/s`;
console.log(`\n(f) stress over cores: \`run stress --workers 1\` vs \`--workers auto\` (${threads} threads here), medians of ${REPS} runs each, load average ${load.toFixed(2)} at the start\n`);
console.log(
  table(
    ['', 'throughput', 'ratio'],
    [
      ['--workers 1 (one thread)', k(fig.one), '1.00x'],
      [`--workers auto (${threads} threads)`, k(fig.auto), ratio(fig.auto, fig.one)],
    ],
  ),
);
console.log(`\n  goals: auto >= 1.7x --workers 1, and >= 36,000 req/s on 2 idle cores (a busy machine depresses both)`);
report({ workers: fig });
