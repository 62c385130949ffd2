/**
 * The command-line program. Commands are imported lazily so that `--version`, `--help` and
 * `list` do not pay for the WebAssembly histograms and providers.
 */
import { Argument, Command, CommanderError, Option } from 'commander';
import { ExitCode, userErrorExitCode } from '../errors.js';
import { COMPARE_FORMATS } from '../compare/formats.js';
import { FORMAT_CHOICES, FORMATS } from '../report/registry.js';
import { TOOL_VERSION } from './version.js';
import type { CliProcess, OutStream } from './process.js';

const version = TOOL_VERSION;

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

const RUN_HELP = `
Scenarios:
  A built-in name (see "cluster-bench list"), "all" (every built-in but soak), or a path to a
  YAML/JSON scenario file. Several may be given; all are validated before any runs.

Examples:
  $ cluster-bench run stress                          1000 virtual users x 100 agent requests
  $ cluster-bench run all --out result.json           every seed measurement, JSON result saved
  $ cluster-bench run llm-call --set providers.llm.latency=5ms
  $ cluster-bench run soak --duration 2m              the 1-hour soak, shortened
  $ cluster-bench run ./my-scenario.yaml --seed 42 --json > result.json
  $ cluster-bench run llm-call --trials 5 --baseline main.json   CI gate against a result kept from main
  $ cluster-bench run stress --workers 1                 the stress test on one thread (default: every core)
  $ cluster-bench run stress --shard auto/3 --run-id r1 -o 'out/{run}/shard-{shard}.json'   one pod of an Indexed Job

More cores, more machines (docs/scale-out.md):
  --workers N runs N worker threads, each with its own providers and its share of the load (iterations
  and arrivals striped, users split as k6 does); their histograms are added exactly. Memory-measuring
  scenarios stay on the main thread. --shard i/N runs one machine's share; an existing engine (Kubernetes
  Indexed Job, CI matrix, array job) starts the shards, and "cluster-bench merge" joins their files and
  applies the gate. A shard file holds no verdicts.

Latency vs service time (rate executor, the open model):
  Operations start on a fixed schedule whether or not earlier ones have finished. "latency" counts
  from each operation's scheduled start, so a stall (a GC pause, a slow dependency) shows up in the
  percentiles of every operation it delayed; "service time" counts from the actual start and shows
  what one operation cost once it got going. A closed loop (iterations, vus) can only report the
  latter and so hides stalls (coordinated omission). Late and dropped starts are counted.

Workloads and arrivals (docs/workloads.md):
  params.dataset: ./conversations.jsonl   each operation takes the next turn of a conversation, with the
                                          session's history from memory; or params.synthetic (seeded).
  executor: { type: rate, rate: 200, duration: 1m, arrival: poisson }   Poisson arrivals (burst: 2 = burstier)
  executor: { type: rate, arrival: trace, trace: ./arrivals.jsonl }     replay recorded arrivals (--speed 10)
  $ cluster-bench run agent-sessions      agent sessions from the shipped sample dataset

Metrics: every figure, and how TTFT, TPOT, the gap between chunks and the gap per token map to
  vLLM's, AIPerf's, GuideLLM's and llmperf's names, is defined in docs/metrics.md.
Timing modes (a phase's "batch" field; recorded per phase, † in tables):
  per-op   every operation timed alone: each value is one operation, clock reads (~100 ns) included;
           percentiles are those of operations.
  batch    N operations back to back (~25 us), one clock pair, their mean recorded N times: the p50
           is a typical operation without the clock; the tail is that of batches, and a garbage
           collection lands in few batches (the mean includes it, the p50 mostly not).
  auto (default) batches fast in-process operations (memory store/retrieve, noop) run one at a time
  when the warm-up estimates them under 1 us, times them per operation above 2 us, and in between
  keeps the earlier mode; "batch: 64" pins a size, "batch: off" times every operation. compare does
  not compare latencies timed in different modes.
  $ cluster-bench run store-retrieve --set phases.0.batch=off      the store timed per operation

Latency models for providers.llm.latency:
  none | 5ms | uniform(2ms,8ms) | normal(5ms,1ms) | lognormal(5ms,20ms)  (lognormal: p50, p99)

Files:
  Every run writes its JSON result, markdown and HTML report to
  reports/<scenarios>-<YYYYMMDD-HHMMSS>.json/.md/.html (UTC) and copies them to reports/latest.json,
  latest.md and latest.html; --out / --report put the JSON or the markdown elsewhere instead (the HTML
  follows the markdown), --no-save writes only what those two name. The HTML report opens offline in
  any browser: latency spectra with the target thresholds, time series of long phases, the target
  matrix. With $GITHUB_STEP_SUMMARY set (GitHub Actions), the markdown report is appended to it too.

Exit codes:
  0 all targets met   1 a target missed (red; --strict: yellow too), or a regression against --baseline
  2 bad input         3 the run failed    130 interrupted (the partial result is still written)

Examples with your own code (cluster-bench new writes the scenario and the plugin):
  $ cluster-bench new my-bench --provider memory && cluster-bench run my-bench/scenario.yaml
  $ cluster-bench run my-bench/scenario.yaml --set phases.0.executor.iterations=100
  $ cluster-bench run my-bench/scenario.yaml --trials 5 --out main.json
`;

/** `report --help` lists the formats of the registry, so a new format needs no edit here. */
function formatsHelp(): string {
  const names = FORMATS.map((f) => [...(f.aliases ?? []), f.name].join(', '));
  const width = Math.max(...names.map((n) => n.length));
  return `\nFormats:\n${FORMATS.map((f, i) => `  ${names[i]!.padEnd(width)}  ${f.description}`).join('\n')}\n`;
}

const REPORT_HELP = `
Examples:
  $ cluster-bench report reports/latest.json                    markdown on stdout
  $ cluster-bench report a.json b.json --out report.md          two runs, one report
  $ cluster-bench report r.json --format html --out r.html      one self-contained page with latency spectra
  $ cluster-bench report a.json b.json --format html --out ab.html   several runs, their spectra overlaid
  $ cluster-bench report llm-call-capacity.json --format html --out capacity.html   a capacity search, its knee drawn
  $ cluster-bench report result.json --format benchmark-action --out latency.json
  $ cluster-bench report result.json --format benchmark-action --tool customBiggerIsBetter --out throughput.json

benchmark-action writes the JSON array github-action-benchmark reads ([{name, unit, value, range?, extra?}]),
one direction per file as the action wants: latency (smaller is better) or throughput (bigger is better).

html is one file that opens offline (scripts, styles and data inlined; it makes no network request): the
header, gate and target matrix of the markdown report, a percentile spectrum per phase (p0 to p99.999 on a
log axis, target thresholds as lines), time series of long phases, a capacity search's steps with latency and
throughput against offered rate (SLOs and knee marked), every chart with its numbers in a table.
Examples of the table and JSON formats:
  $ cluster-bench report reports/latest.json --format table
  $ cluster-bench report main.json pr.json --format json --out both.json
`;

const COMPARE_HELP = `
How it decides (docs/ci.md has the details):
  With per-trial figures on both sides (run --trials 4 or more) each trial is one observation: a Mann-Whitney
  rank test, and the Hodges-Lehmann change with its interval. With one run a side, a bootstrap of the HDR
  histograms with an effective sample size (operations in flight together, or within 100 ms of each other,
  count once), significant only when the whole interval lies beyond the noise band. Inside the band: no change.
  Cannot tell: inconclusive. Throughput of one run has no interval: judged by the band alone, it never fails.

Exit codes:
  0 no significant slowdown beyond --max-regression   1 there is one
  2 bad input: unreadable file, nothing in common, another CPU model or Node.js major (without --force)

Examples:
  $ cluster-bench compare main.json pr.json
  $ cluster-bench compare main.json pr.json --max-regression 5% --json
  $ cluster-bench compare main.json pr.json --format html --out compare.html   baseline and current on one spectrum
`;

const NEW_HELP = `
Writes into DIR: scenario.yaml (commented; its first line points editors at the JSON Schema) and
my-<kind>.mjs, a working plugin in plain JavaScript typed with JSDoc from cluster-bench's exported
types, ready to run before you change a line. --ci github adds .github/workflows/cluster-bench.yml
at the repository root. An existing file is never overwritten: exit 2, naming it, nothing written.
It prints how to install cluster-bench into your project (it is not on the npm registry yet).

Examples:
  $ cluster-bench new my-bench --provider memory
  $ cluster-bench new bench/llm --provider llm --ci github
  $ cluster-bench new my-agent --provider agent && cluster-bench run my-agent/scenario.yaml
`;

const SCHEMA_HELP = `
The schema is generated from the zod schema the loader validates with, so the two never disagree;
a scenario file that names it on its first line gets completion and inline errors in editors:
  # yaml-language-server: $schema=../node_modules/cluster-bench/schema/scenario.schema.json

Examples:
  $ cluster-bench schema > scenario.schema.json
  $ cluster-bench schema --path
`;

const COMPLETION_HELP = `
Completes commands, their flags, flag values with fixed choices, built-in scenario names and files.
Generated from the program itself, so it knows every command of this version. It completes the
cluster-bench command on your PATH (npm install -g, or an alias), not "npx cluster-bench".

Examples:
  $ source <(cluster-bench completion bash)                       this bash session
  $ cluster-bench completion bash > ~/.local/share/bash-completion/completions/cluster-bench
  $ cluster-bench completion zsh > "\${fpath[1]}/_cluster-bench"    zsh, then restart it
`;

const MERGE_HELP = `
What it checks (each refusal is exit 2, naming the files): every file is a shard (run --shard) of the
same run id, the same number of shards, the same scenarios after --set (a hash), the same tool version,
histogram settings and seed; no index twice; none missing (unless --allow-partial).

What it computes: latency histograms added exactly (one histogram of every operation, not an average of
percentiles), counts and errors summed, throughput = all operations / the union of the shards' wall-clock
windows, the start skew between shards; then the targets on the merged figures, and the gate.

Exit codes:
  0 every target met   1 a target missed, or shards missing (--allow-partial)   2 bad input, refused merge

Examples:
  $ cluster-bench merge results/r1/                              every shard file in a directory
  $ cluster-bench merge shard-0.json shard-1.json shard-2.json --expect-shards 3 -o merged.json
  $ cluster-bench report merged.json                             the merged result is an ordinary result
`;

const CAPACITY_HELP = `
What capacity means here:
  The highest offered rate (operations/s) at which the phase still meets its SLOs. Each step runs the
  phase at one rate under the open model: requests start on schedule whatever the system does, and
  latency counts from each request's scheduled start, so a queue building up inside the system shows
  in the percentiles. A short warm-up at the same rate comes first and is not recorded.

How it searches:
  Doubling from --start-rate until a step fails, then bisection between the highest rate that passed
  and the lowest that failed until they are within --precision; both ends are then measured again
  (--repeat times in all), so the answer is an interval: "capacity 406/s (knee between 400/s and 413/s)".
  A step is held to the --slo expressions, or else to the scenario's targets on the phase; unless an
  SLO covers failures (errorRate, goodput), also to "errorRate < 1%" (percentiles are of the
  successful requests only, so a server that refuses work would look fast). And always: the system
  keeps up, completing at least 1 - precision (95%) of the offered rate during the window; above
  capacity the backlog grows without bound, which a latency SLO with much headroom sees only late.

When the tool is the limit:
  A step is invalid, neither pass nor fail, when the load generator could not drive it: event loop
  delay p99 over 50 ms, arrivals dropped at maxInFlight while the SLOs held, or a failure the tool's
  own delays explain (counted from the actual start, less the longest event-loop stall, it would
  have passed). It is run again; invalid 3 times during the ramp, and the search ends
  "generator-bound at R/s" instead of reporting a knee the generator made: the system does more than
  one thread can offer. Then add threads: --workers auto runs each step on every core (the arrival
  schedule striped over the threads, histograms merged exactly). A simulated server with slots stays
  on one thread: its one queue cannot be split. Inside the bracket the search steps around a
  rate it cannot drive (twice at most): that only costs precision, and the result says so.

Reading the knee:
  binding constraint  the SLO that broke at the lowest rate: the one to work on first.
  cliff               the binding statistic at least doubled between the last passing and the first
                      failing rate: past the knee it breaks at once (a saturated queue); run well below.
  smooth              it climbed gradually: capacity depends on how strict the SLO is.
  A step of length D can only see an overload that builds up more than the latency headroom within D
  (queue wait grows by about D x overload%): longer --step-duration resolves a sharper knee.

Output:
  The steps table (offered, achieved, p50, p99, errors, goodput, verdict), the capacity and interval,
  the binding constraint and knee; the JSON result (scenarios[0].capacity) and a markdown report with a
  chart of latency against offered rate, saved like run's (reports/<scenario>-capacity-<time>.json/.md).
  Ctrl-C keeps the steps done so far, writes them, and exits 130.

Exit codes:
  0 done (targets met, if any)   1 a capacity target missed   2 bad input   3 the providers failed   130 interrupted

Examples (a simulated server of 4 slots x 10 ms has a capacity of ~400/s; compare exits 1 when it fell):
  $ cluster-bench capacity llm-call --phase sequential --set providers.llm.slots=4 --set providers.llm.latency=10ms --slo "p99 < 50ms"
  $ cluster-bench capacity ./my-scenario.yaml --phase load --slo "p99 < 200ms" --slo "errorRate < 0.1%" --workers auto
  $ cluster-bench compare main-capacity.json pr-capacity.json
`;

/**
 * Declares the values an option takes, for `--help` and shell completion, and leaves the check
 * to the command: its one-line error names the flag and what is allowed, which commander's
 * .choices() would replace with its own message.
 */
function offering(option: Option, words: readonly string[]): Option {
  option.argChoices = [...words];
  return option;
}

export function buildProgram(io: CliProcess, setExit: (code: number) => void): Command {
  /**
   * An action that loads its command's module only when that command runs (so `--version`
   * and `--help` start as fast as Node itself) and sets the exit code the command returns.
   */
  const lazy =
    <M, A extends unknown[]>(load: () => Promise<M>, command: (m: M, ...args: A) => number | Promise<number>) =>
    async (...args: A): Promise<void> =>
      setExit(await command(await load(), ...args));
  const program = new Command();
  program
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) })
    .name('cluster-bench')
    .description(
      'Benchmark AI "cluster node" runtimes (an LLM provider, a session memory and an agent loop) with HDR ' +
        'histograms, a target-metrics matrix (🟢 meets target, 🟡 meets current only, 🔴 misses both) and ' +
        'CI-friendly exit codes. The reference LLM provider is simulated in-process: no network, no API key.',
    )
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  $ cluster-bench list
  $ cluster-bench run stress
  $ cluster-bench run all --out result.json
  $ cluster-bench new my-bench        (benchmark your own LLM client, memory or agent)
  $ cluster-bench run --help          (options, latency models, exit codes)`,
    );

  program
    .command('list')
    .description('list the built-in scenarios')
    .option('--json', 'print the list as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ cluster-bench list
  $ cluster-bench list --json`,
    )
    .action(async (opts: { json?: boolean }) => {
      const { listCommand } = await import('./list.js');
      io.stdout.write(listCommand(opts.json === true));
      setExit(ExitCode.OK);
    });

  program
    .command('run')
    .description('run scenarios and hold the results against their targets')
    .argument('<scenario...>', 'built-in name, "all", or path to a scenario file')
    .option('-o, --out <file>', 'write the JSON result to FILE (atomically)')
    .option('--json', 'print the JSON result on stdout; tables and progress go to stderr')
    .option('--seed <n>', 'seed of the simulated providers (default: random, recorded in the result)')
    .addOption(
      new Option('--set <path=value>', 'override a scenario field before validation, e.g. providers.llm.latency=5ms or phases.0.executor.iterations=10 (repeatable)')
        .argParser(collect),
    )
    .option('-d, --duration <d>', 'override the duration of duration-based phases (rate, vus with duration), e.g. 30s')
    .option('--strict', 'fail the gate on yellow (meets current only) as well as red')
    .option('--no-gate', 'always exit 0 when the run completes, whatever the targets say')
    .option('--report <file>', 'write the markdown report to FILE instead of reports/ (the HTML report goes beside it: FILE.md -> FILE.html)')
    .option('--no-save', 'write no files (but those --out / --report name) and nothing to $GITHUB_STEP_SUMMARY')
    .option('--checkpoint <d>', 'save the partial result this often during long phases, so a crash loses at most that much (default 10s)')
    .option('--trials <n>', 'run each scenario N times, interleaved (s1 s2 s1 s2 ...); figures pool the trials, per-trial figures are kept for compare')
    .option('--speed <x>', 'replay trace arrivals (executor arrival: trace) x times faster, e.g. 10; latency still counts from each scheduled arrival')
    .option('--baseline <file>', 'compare with a saved result at the end; a significant slowdown beyond --max-regression exits 1')
    .option('--max-regression <pct>', 'with --baseline: the slowdown that fails (default 10%)')
    .option('--force', 'with --baseline: compare even across CPU models or Node.js major versions')
    .option('--workers <n>', 'spread the load over N worker threads, or auto (one per core); default: the scenario\'s own (stress: auto), else 1')
    .option('--shard <i/N>', 'run shard i (from 0) of N of a run spread over machines, or auto/N (index from $JOB_COMPLETION_INDEX & co.); join with "merge"')
    .option('--run-id <id>', 'with --shard: the id every shard of the run shares (default: from the CI engine, else "unnamed"); {run} in -o')
    .option('--start-at <time>', 'start the first measured phase at this time: ISO with a zone (2026-11-29T13:00:00Z) or +30s')
    .addHelpText('after', RUN_HELP)
    // The flags are run.ts's RunFlags (a type only: the module still loads on demand), but for
    // --set, which commander leaves undefined when it is not given.
    .action(async (refs: string[], opts: Omit<import('./run.js').RunFlags, 'set'> & { set?: string[] }) => {
      // Output paths are checked before the run module and its dependencies load (up to a
      // second on a busy machine): a bad --out fails at once. runCommand checks them again
      // for callers that come in directly.
      const { preflightOutputs } = await import('./save.js');
      preflightOutputs(io, { save: opts.save, ...(opts.out !== undefined ? { out: opts.out } : {}), ...(opts.report !== undefined ? { report: opts.report } : {}) });
      const { runCommand } = await import('./run.js');
      setExit(await runCommand(io, refs, { ...opts, set: opts.set ?? [] }));
    });

  program
    .command('capacity')
    .description('find the highest rate a phase sustains within its SLOs: ramp, bisect, confirm; report the knee')
    .argument('<scenario>', 'built-in name or path to a scenario file')
    .option('--phase <name>', 'the phase to load (default: the only phase, or the only rate phase)')
    .addOption(new Option('--slo <expr>', 'what every step must meet, e.g. "p99 < 50ms", "errorRate < 0.1%", "goodput > 95%" (repeatable; default: the phase\'s targets)').argParser(collect))
    .addOption(new Option('--target <expr>', 'gate on the result, e.g. "capacity > 300/s / > 400/s" (repeatable; scenario targets on capacity count too)').argParser(collect))
    .option('--step-duration <d>', 'measured window of each step (default 3s)')
    .option('--warmup <d>', 'warm-up at the step\'s rate before each window, not recorded (default 1s, at most half the step)')
    .option('--start-rate <rate>', 'first rate tried, e.g. 100 or 100/s (default: the phase\'s rate, or 50/s)')
    .option('--max-rate <rate>', 'never offer more than this (default 1000000/s)')
    .option('--precision <pct>', 'stop bisecting when the bracket is this narrow (default 5%)')
    .option('--repeat <n>', 'times each end of the bracket is measured (default 2)')
    .option('--max-steps <n>', 'most steps in all (default 30)')
    .option('--seed <n>', 'seed of the simulated providers (default: random, recorded in the result)')
    .option('--workers <n|auto>', "run each step on N worker threads (auto: one per core) when one thread cannot offer the load (default: the scenario's workers setting, else 1)")
    .addOption(new Option('--set <path=value>', 'override a scenario field before validation, e.g. providers.llm.slots=4 (repeatable)').argParser(collect))
    .option('-o, --out <file>', 'write the JSON result to FILE (atomically)')
    .option('--report <file>', 'write the markdown report to FILE instead of reports/')
    .option('--no-save', 'write no files (but those --out / --report name)')
    .option('--json', 'print the JSON result on stdout; tables and progress go to stderr')
    .option('--no-gate', 'exit 0 whenever the search completes, whatever capacity targets say')
    .addHelpText('after', CAPACITY_HELP)
    .action(lazy(() => import('./capacity.js'), (m, ref: string, opts: Omit<import('./capacity.js').CapacityFlags, 'set'> & { set?: string[] }) => m.capacityCommand(io, ref, { ...opts, set: opts.set ?? [] })));

  program
    .command('report')
    .description('render saved JSON results as one report (markdown by default)')
    .argument('<result...>', 'JSON result files written by run (--out, or reports/*.json)')
    .option('-o, --out <file>', 'write the report to FILE (atomically) instead of stdout')
    .addOption(offering(new Option('-f, --format <format>', 'what to render (each is described below)').default('md'), FORMAT_CHOICES))
    .option('--tool <tool>', 'benchmark-action only: customSmallerIsBetter (latency p50/p99, ms; default) or customBiggerIsBetter (throughput, ops/s)')
    .addHelpText('after', formatsHelp() + REPORT_HELP)
    .action(lazy(() => import('./report.js'), (m, files: string[], opts: { out?: string; format: string; tool?: string }) => m.reportCommand(io, files, opts)));

  program
    .command('compare')
    .description('compare a result with a baseline: per phase p50, p99 and throughput, faster / slower / no change / inconclusive')
    .argument('<baseline>', 'JSON result of the baseline')
    .argument('<current>', 'JSON result to judge')
    .option('--max-regression <pct>', 'a significant slowdown beyond this fails (exit 1)', '10%')
    .option('--noise <pct>', 'changes smaller than this are never called a change', '5%')
    .option('--force', 'compare even across CPU models or Node.js major versions')
    .option('--json', 'print the comparison as JSON (the same as --format json)')
    .addOption(offering(new Option('-f, --format <format>', 'what to print (default table); html is one offline page with both runs on each spectrum'), COMPARE_FORMATS))
    .option('-o, --out <file>', 'write the comparison to FILE (atomically) instead of stdout')
    .addHelpText('after', COMPARE_HELP)
    .action(lazy(() => import('./compare.js'), (m, baseline: string, current: string, opts: { maxRegression?: string; noise?: string; force?: boolean; json?: boolean; format?: string; out?: string }) => m.compareCommand(io, baseline, current, opts)));

  program
    .command('merge')
    .description('join the shard files of one run (run --shard i/N on many machines) into one result, then judge its targets (exit 0/1)')
    .argument('<shards...>', 'shard files, or directories of them (every .json directly inside)')
    .option('--expect-shards <n>', 'refuse unless the files are shards of N')
    .option('--allow-partial', 'merge even with shards missing: the result is marked incomplete and fails the gate')
    .option('-o, --out <file>', 'write the merged JSON result to FILE (atomically)')
    .option('--json', 'print the merged JSON result on stdout; the table goes to stderr')
    .option('--strict', 'fail the gate on yellow (meets current only) as well as red')
    .addHelpText('after', MERGE_HELP)
    .action(lazy(() => import('./merge.js'), (m, files: string[], opts: import('./merge.js').MergeFlags) => m.mergeCommand(io, files, opts)));

  program
    .command('calibrate')
    .description('measure what the harness costs on this machine: clock, per-operation overhead of each executor, idle event-loop delay')
    .option('--json', 'print the figures as JSON (harnessOverheadNs is the headline)')
    .addHelpText(
      'after',
      `
Each executor runs a no-op next to a bare "await op()" loop in the same process; overhead =
executor ns/op - bare ns/op: the median of 61 pairs of 2,000-operation windows, with its 95%
interval (harnessOverheadCiNs: how much the figure varies). The figures are cached per machine
(~/.cache/cluster-bench, or $CLUSTER_BENCH_CACHE_DIR) and every run records them in its
environment block; CLUSTER_BENCH_CALIBRATION=off leaves them out.

Examples:
  $ cluster-bench calibrate
  $ cluster-bench calibrate --json | jq '.harnessOverheadNs, .harnessOverheadCiNs'`,
    )
    .action(lazy(() => import('./calibrate.js'), (m, opts: { json?: boolean }) => m.calibrateCommand(io, { json: opts.json === true })));

  program
    .command('mock-llm')
    .description('serve a mock OpenAI-compatible chat-completions endpoint (loopback by default) to benchmark HTTP against')
    .option('-p, --port <n>', 'port to listen on; 0 = any free port (the base URL is printed)', '0')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--ttft <d>', 'time to first token, e.g. 50ms', '0ms')
    .option('--tokens-per-second <n>', 'token rate after the first token; 0 = all at once', '0')
    .option('--tokens <n>', 'tokens in an answer (max_tokens caps it)', '16')
    .option('--error-rate <f>', 'fraction of requests answered with --error-status (0..1)', '0')
    .option('--error-status <code>', 'HTTP status of injected errors', '500')
    .option('--tool-rounds <n>', 'rounds of tool calls asked for when a request offers tools', '1')
    .option('--api-key-env <name>', 'require "Authorization: Bearer $NAME" (401 otherwise)')
    .option('--seed <n>', 'seed of the answers and injected errors', '1')
    .option('--slots <n>', 'requests served at once (default unlimited); the rest wait in FIFO order, and queueing counts in their latency')
    .option('--queue-limit <n>', 'requests that may wait for a slot; beyond it they get a 429 (default unlimited; needs --slots)')
    .option('--service-time <model>', 'time to the answer / first token drawn per request: 10ms, uniform(5ms,15ms), lognormal(8ms,30ms) (replaces --ttft)')
    .addHelpText(
      'after',
      `
Capacity:
  With --slots N a request holds a slot from its start to its last token: service time = --ttft (or
  --service-time) + (tokens - 1) / --tokens-per-second. So --slots 4 --ttft 10ms serves exactly 400
  requests/s; beyond that the queue, and the latency with it, grows until --queue-limit refuses (429).

Routes: GET / (health), GET /v1/models, POST /v1/chat/completions (JSON, or SSE with "stream": true).
Prints the base URL on stdout; stops cleanly on SIGINT/SIGTERM. One token per SSE chunk, so a run
against it shows TTFT = --ttft and TPOT = 1 / --tokens-per-second (docs/metrics.md defines them).

Examples (then run or capacity with --set providers.llm.baseUrl=http://127.0.0.1:8080/v1):
  $ cluster-bench mock-llm --port 8080 --slots 4 --ttft 10ms
  $ cluster-bench mock-llm --port 8080 --ttft 50ms --tokens-per-second 100
  $ cluster-bench mock-llm --port 8080 --error-rate 0.05 --error-status 429`,
    )
    .action(lazy(() => import('./mock-llm.js'), (m, opts: import('./mock-llm.js').MockLlmFlags) => m.mockLlmCommand(io, opts)));

  // Your own code: scaffold, editor schema, shell completion (issue 15).
  program
    .command('new')
    .description('scaffold a benchmark of your own code: a commented scenario, a plugin module typed for your editor, optionally a CI workflow')
    .argument('[dir]', 'directory to write into (created when missing; existing files are never overwritten)', '.')
    .addOption(new Option('--provider <kind>', 'which provider is your code').choices(['llm', 'memory', 'agent']).default('llm'))
    .addOption(new Option('--ci <system>', 'also write a CI workflow that gates pull requests on a baseline from main').choices(['github']))
    .addHelpText('after', NEW_HELP)
    .action(lazy(() => import('./new.js'), (m, dir: string, opts: import('./new.js').NewFlags) => m.newCommand(io, dir, opts)));

  program
    .command('schema')
    .description('print the JSON Schema of scenario files, generated from the validator itself (for editors and CI linters)')
    .option('--path', 'print the path of the schema file the package ships instead')
    .addHelpText('after', SCHEMA_HELP)
    .action(async (opts: { path?: boolean }) => {
      const { schemaCommand } = await import('./schema.js');
      io.stdout.write(schemaCommand(opts));
      setExit(ExitCode.OK);
    });

  program
    .command('completion')
    .description('print a shell completion script: commands, flags, built-in scenario names, files')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .addHelpText('after', COMPLETION_HELP)
    .action(async (shell: 'bash' | 'zsh') => {
      const { completionScript } = await import('./completion.js');
      io.stdout.write(completionScript(program, shell, version));
      setExit(ExitCode.OK);
    });

  return program;
}

/**
 * A reader that goes away early (`cluster-bench run --help | head`) is not an error of ours:
 * drop further output quietly instead of dying with an EPIPE stack trace; the run still
 * finishes, saves its files and returns its real exit code.
 */
function quietOnClosedPipe(stream: OutStream): void {
  stream.on?.('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
    throw e;
  });
}

/**
 * A known error is one line, also when it quotes the user's input back (a --set value or a
 * file name with a newline in it): control characters are shown escaped, as in JSON.
 */
export function oneLine(message: string): string {
  const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  // eslint-disable-next-line no-control-regex
  return message.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Runs the CLI against a process edge (the real one from the bin shim) and returns the exit code. */
export async function main(io: CliProcess): Promise<number> {
  quietOnClosedPipe(io.stdout);
  quietOnClosedPipe(io.stderr);
  let code: number = ExitCode.OK;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync([...io.argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are "errors" only to commander; bad flags are bad input.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.OK;
      // Stryker disable next-line ConditionalExpression,StringLiteral: unreachable today (no command is an executable subcommand); kept for when one is
      if (e.code === 'commander.executeSubCommandAsync') return ExitCode.OK;
      return ExitCode.BAD_INPUT;
    }
    const known = userErrorExitCode(e);
    if (known !== undefined) {
      io.stderr.write(`cluster-bench: error: ${oneLine((e as Error).message)}\n`);
      return known;
    }
    io.stderr.write(`cluster-bench: internal error (a bug — please report it):\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return ExitCode.RUN_FAILED;
  }
}
