// (e) Start-up: wall time of `cluster-bench --version` and `cluster-bench list` against
// `node -e 0`, spawned in turn (interleaved, so drift hits all three alike); medians.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, median, ratio, report, table } from './lib.mjs';

const SPAWNS = Number(process.env.BENCH_SPAWNS ?? 15);
const bin = path.join(ROOT, 'bin/cluster-bench.js');
const cases = [
  ['node -e 0', ['-e', '0']],
  ['cluster-bench --version', [bin, '--version']],
  ['cluster-bench list', [bin, 'list']],
];
const times = cases.map(() => []);
for (let r = 0; r < SPAWNS + 1; r++) {
  for (const [k, [, args]] of cases.entries()) {
    const t0 = performance.now();
    const p = spawnSync(process.execPath, args, { stdio: 'ignore' });
    const ms = performance.now() - t0;
    if (p.status !== 0) throw new Error(`${cases[k][0]} exited ${p.status}`);
    if (r > 0) times[k].push(ms); // the first round warms the file cache
  }
}
const med = times.map(median);
console.log(`\n(e) start-up, medians of ${SPAWNS} spawns each\n`);
console.log(table(['command', 'wall time', 'vs node -e 0'], cases.map(([name], k) => [name, `${med[k].toFixed(1)} ms`, ratio(med[k], med[0])])));
console.log('\n  goal: --version <= 1.5x node -e 0');
report({ startup: { node: med[0], version: med[1], list: med[2] } });
