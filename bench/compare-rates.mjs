#!/usr/bin/env node
// How often does `cluster-bench compare` cry wolf, and how often does it catch a real
// slowdown, on this machine? A benchmark of the gate, not a test: it takes minutes.
//
//   node bench/compare-rates.mjs                         20 A/A and 20 A/B pairs of llm-call, 5 ms vs 6 ms
//   node bench/compare-rates.mjs --pairs 10 --b 7ms      fewer pairs, a bigger slowdown
//   node bench/compare-rates.mjs --trials 5              the same with `run --trials 5` (rank test)
//   node bench/compare-rates.mjs --reuse DIR -- --noise 3%
//                                                        re-judge saved runs with other compare flags
//   node bench/compare-rates.mjs --reuse DIR --all-pairs also judge every pair of the saved runs
//                                                        (not independent, but many more pairs)
//
// Per pair i it runs A, A' and B one after the other (so a slow spell of the machine hits
// all three), then counts `compare A A'` exiting 1 as a false alarm and `compare A B`
// exiting 1 as a catch. It also checks the issue's acceptance: among the first three A runs
// every compare exits 0, and each of them against the first B exits 1.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'cluster-bench.js');

function parseArgs(argv) {
  const opts = { pairs: 20, scenario: 'llm-call', a: '5ms', b: '6ms', trials: 1, reuse: undefined, keep: undefined, allPairs: false, compareArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--') {
      opts.compareArgs = argv.slice(i + 1);
      break;
    } else if (arg === '--pairs') opts.pairs = Number(next());
    else if (arg === '--scenario') opts.scenario = next();
    else if (arg === '--a') opts.a = next();
    else if (arg === '--b') opts.b = next();
    else if (arg === '--trials') opts.trials = Number(next());
    else if (arg === '--reuse') opts.reuse = next();
    else if (arg === '--keep') opts.keep = next();
    else if (arg === '--all-pairs') opts.allPairs = true;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write('usage: node bench/compare-rates.mjs [--pairs N] [--scenario S] [--a 5ms] [--b 6ms] [--trials N] [--keep DIR | --reuse DIR] [--all-pairs] [-- compare flags]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (!Number.isInteger(opts.pairs) || opts.pairs < 1) throw new Error('--pairs: a whole number >= 1');
  return opts;
}

function cli(args) {
  const env = { ...process.env, NO_COLOR: '1', CI: '1' };
  delete env.GITHUB_STEP_SUMMARY;
  return spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function run(opts, latency, out) {
  const args = ['run', opts.scenario, '--set', `providers.llm.latency=${latency}`, '--out', out, '--no-save', '--no-gate'];
  if (opts.trials > 1) args.push('--trials', String(opts.trials));
  const r = cli(args);
  if (r.status !== 0) throw new Error(`run failed (exit ${r.status}): ${r.stderr.trim().split('\n').at(-1)}`);
}

/** Exit code of compare, and the statistics it called slower. */
function compare(opts, baseline, current) {
  const r = cli(['compare', baseline, current, '--json', ...opts.compareArgs]);
  if (r.status !== 0 && r.status !== 1) throw new Error(`compare failed (exit ${r.status}): ${r.stderr.trim()}`);
  const c = JSON.parse(r.stdout);
  return { code: r.status, regressions: c.regressions.map((x) => `${x.phase} ${x.stat}`), comparison: c };
}

/** Wilson score interval of k successes in n, 95%. */
function wilson(k, n) {
  const z = 1.959964;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

const pct = (x) => `${(x * 100).toFixed(0)}%`;

/**
 * Every A run against every other A run, and every A against every B, in-process (the same
 * compareResults the CLI calls, with its default options): hundreds of pairs in a minute.
 * They share runs, so they are not independent trials: a second opinion, not a rate.
 */
async function allPairs(dir, n) {
  const { compareResults } = await import(pathToFileURL(path.join(ROOT, 'dist', 'compare', 'compare.js')).href);
  const { readFileSync } = await import('node:fs');
  const load = (f) => JSON.parse(readFileSync(f, 'utf8'));
  const as = [];
  const bs = [];
  for (let i = 1; i <= n; i++) {
    as.push(load(path.join(dir, `a-${i}.json`)), load(path.join(dir, `a2-${i}.json`)));
    bs.push(load(path.join(dir, `b-${i}.json`)));
  }
  let fa = 0;
  let naa = 0;
  for (let i = 0; i < as.length; i++) for (let j = i + 1; j < as.length; j++, naa++) if (!compareResults(as[i], as[j]).passed) fa++;
  let caught = 0;
  for (const a of as) for (const b of bs) if (!compareResults(a, b).passed) caught++;
  return `all pairs of the saved runs: A/A ${fa}/${naa} false alarms (${((fa / naa) * 100).toFixed(1)}%), A/B ${caught}/${as.length * bs.length} caught (${((caught / (as.length * bs.length)) * 100).toFixed(1)}%)`;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const dir = opts.reuse ?? opts.keep ?? mkdtempSync(path.join(os.tmpdir(), 'cluster-bench-rates-'));
  mkdirSync(dir, { recursive: true });
  const file = (kind, i) => path.join(dir, `${kind}-${i}.json`);
  const t0 = Date.now();

  if (opts.reuse === undefined) {
    process.stderr.write(`running ${opts.pairs} x (A, A', B) of ${opts.scenario}: A = ${opts.a}, B = ${opts.b}${opts.trials > 1 ? `, ${opts.trials} trials each` : ''}; files in ${dir}\n`);
    for (let i = 1; i <= opts.pairs; i++) {
      run(opts, opts.a, file('a', i));
      run(opts, opts.a, file('a2', i));
      run(opts, opts.b, file('b', i));
      process.stderr.write(`  pair ${i}/${opts.pairs} done (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
    }
  } else {
    const have = readdirSync(dir).filter((f) => /^b-\d+\.json$/.test(f)).length;
    opts.pairs = Math.min(opts.pairs, have);
    for (let i = 1; i <= opts.pairs; i++) for (const k of ['a', 'a2', 'b']) if (!existsSync(file(k, i))) throw new Error(`${file(k, i)} missing`);
    process.stderr.write(`re-judging ${opts.pairs} saved pairs in ${dir}\n`);
  }

  let falseAlarms = 0;
  let catches = 0;
  const alarmStats = {};
  const verdicts = { aa: {}, ab: {} };
  const tally = (bucket, c) => {
    for (const p of c.phases)
      for (const s of p.stats) {
        const key = `${p.phase} ${s.stat}`;
        bucket[key] ??= { slower: 0, faster: 0, 'no change': 0, inconclusive: 0 };
        bucket[key][s.verdict] += 1;
      }
  };
  for (let i = 1; i <= opts.pairs; i++) {
    const aa = compare(opts, file('a', i), file('a2', i));
    const ab = compare(opts, file('a', i), file('b', i));
    tally(verdicts.aa, aa.comparison);
    tally(verdicts.ab, ab.comparison);
    if (aa.code === 1) {
      falseAlarms++;
      for (const r of aa.regressions) alarmStats[r] = (alarmStats[r] ?? 0) + 1;
    }
    if (ab.code === 1) catches++;
  }

  // The issue's acceptance check on the first three A runs and the first B.
  const three = [file('a', 1), file('a2', 1), file('a', 2)].filter((f) => existsSync(f));
  const acceptance = [];
  for (let i = 0; i < three.length; i++)
    for (let j = 0; j < three.length; j++) if (i !== j) acceptance.push({ pair: `${path.basename(three[i])} vs ${path.basename(three[j])}`, want: 0, got: compare(opts, three[i], three[j]).code });
  for (const a of three) acceptance.push({ pair: `${path.basename(a)} vs b-1.json`, want: 1, got: compare(opts, a, file('b', 1)).code });

  const n = opts.pairs;
  const [fl, fh] = wilson(falseAlarms, n);
  const [cl, ch] = wilson(catches, n);
  const out = [];
  out.push(`cluster-bench compare rates on ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'} (${os.availableParallelism?.() ?? os.cpus().length} cores), Node.js ${process.version}`);
  out.push(`scenario ${opts.scenario}; A = latency ${opts.a}, B = latency ${opts.b}; ${opts.trials > 1 ? `${opts.trials} trials per run` : 'one trial per run'}; compare flags: ${opts.compareArgs.join(' ') || '(defaults)'}`);
  out.push(`false alarms (A/A pairs exiting 1): ${falseAlarms}/${n} = ${pct(falseAlarms / n)} (95% CI ${pct(fl)}-${pct(fh)})`);
  out.push(`catch rate   (A/B pairs exiting 1): ${catches}/${n} = ${pct(catches / n)} (95% CI ${pct(cl)}-${pct(ch)})`);
  if (Object.keys(alarmStats).length > 0) out.push(`false alarms came from: ${Object.entries(alarmStats).map(([k, v]) => `${k} x${v}`).join(', ')}`);
  out.push('verdicts per statistic (A/A | A/B):');
  for (const key of Object.keys(verdicts.aa)) {
    const f = (b) => Object.entries(b[key] ?? {}).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ');
    out.push(`  ${key.padEnd(28)} ${f(verdicts.aa)} | ${f(verdicts.ab)}`);
  }
  const ok = acceptance.every((a) => a.want === a.got);
  out.push(`acceptance (three A runs pairwise exit 0, each vs a B run exit 1): ${ok ? 'met' : 'NOT met'}`);
  for (const a of acceptance.filter((x) => x.want !== x.got)) out.push(`  ${a.pair}: exit ${a.got}, wanted ${a.want}`);
  if (opts.allPairs && opts.compareArgs.length === 0) out.push(await allPairs(dir, n));
  out.push(`took ${((Date.now() - t0) / 1000).toFixed(0)} s; results kept in ${dir}`);
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((e) => {
  process.stderr.write(`compare-rates: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
});
