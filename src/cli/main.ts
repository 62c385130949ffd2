/**
 * The command-line program. Commands are imported lazily so that `--version`, `--help` and
 * `list` do not pay for the WebAssembly histograms and providers.
 */
import { Command, CommanderError, Option } from 'commander';
import { CliError, ExitCode } from '../errors.js';
import { InputError } from '../util/input-error.js';
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

Latency vs service time (rate executor, the open model):
  Operations start on a fixed schedule whether or not earlier ones have finished. "latency" counts
  from each operation's scheduled start, so a stall (a GC pause, a slow dependency) shows up in the
  percentiles of every operation it delayed; "service time" counts from the actual start and shows
  what one operation cost once it got going. A closed loop (iterations, vus) can only report the
  latter and so hides stalls (coordinated omission). Late and dropped starts are counted.

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
  Every run writes its JSON result and markdown report to reports/<scenarios>-<YYYYMMDD-HHMMSS>.json/.md
  (UTC) and copies them to reports/latest.json and reports/latest.md; --out / --report put one of them
  elsewhere instead, --no-save writes only what those two name. With $GITHUB_STEP_SUMMARY set (GitHub
  Actions), the report is appended to it too.

Exit codes:
  0 all targets met   1 a target missed (red; --strict: yellow too), or a regression against --baseline
  2 bad input         3 the run failed    130 interrupted (the partial result is still written)
`;

const REPORT_HELP = `
Examples:
  $ cluster-bench report reports/latest.json                    markdown on stdout
  $ cluster-bench report a.json b.json --out report.md          two runs, one report
  $ cluster-bench report result.json --format benchmark-action --out latency.json
  $ cluster-bench report result.json --format benchmark-action --tool customBiggerIsBetter --out throughput.json

benchmark-action writes the JSON array github-action-benchmark reads ([{name, unit, value, range?, extra?}]),
one direction per file as the action wants: latency (smaller is better) or throughput (bigger is better).
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
`;

export function buildProgram(io: CliProcess, setExit: (code: number) => void): Command {
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
  $ cluster-bench run --help          (options, latency models, exit codes)`,
    );

  program
    .command('list')
    .description('list the built-in scenarios')
    .option('--json', 'print the list as JSON')
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
    .option('--report <file>', 'write the markdown report to FILE instead of reports/')
    .option('--no-save', 'write no files (but those --out / --report name) and nothing to $GITHUB_STEP_SUMMARY')
    .option('--checkpoint <d>', 'save the partial result this often during long phases, so a crash loses at most that much (default 10s)')
    .option('--trials <n>', 'run each scenario N times, interleaved (s1 s2 s1 s2 ...); figures pool the trials, per-trial figures are kept for compare')
    .option('--baseline <file>', 'compare with a saved result at the end; a significant slowdown beyond --max-regression exits 1')
    .option('--max-regression <pct>', 'with --baseline: the slowdown that fails (default 10%)')
    .option('--force', 'with --baseline: compare even across CPU models or Node.js major versions')
    .addHelpText('after', RUN_HELP)
    .action(
      async (
        refs: string[],
        opts: {
          out?: string;
          json?: boolean;
          seed?: string;
          set?: string[];
          duration?: string;
          strict?: boolean;
          gate: boolean;
          report?: string;
          save: boolean;
          trials?: string;
          baseline?: string;
          maxRegression?: string;
          force?: boolean;
          checkpoint?: string;
        },
      ) => {
        // Output paths are checked before the run module and its dependencies load (up to a
        // second on a busy machine): a bad --out fails at once. runCommand checks them again
        // for callers that come in directly.
        const { preflightOutputs } = await import('./save.js');
        preflightOutputs(io, { save: opts.save, ...(opts.out !== undefined ? { out: opts.out } : {}), ...(opts.report !== undefined ? { report: opts.report } : {}) });
        const { runCommand } = await import('./run.js');
        setExit(await runCommand(io, refs, { ...opts, set: opts.set ?? [] }));
      },
    );

  program
    .command('report')
    .description('render saved JSON results as one report (markdown by default)')
    .argument('<result...>', 'JSON result files written by run (--out, or reports/*.json)')
    .option('-o, --out <file>', 'write the report to FILE (atomically) instead of stdout')
    .option('-f, --format <format>', 'md | json | benchmark-action | table', 'md')
    .option('--tool <tool>', 'benchmark-action only: customSmallerIsBetter (latency p50/p99, ms; default) or customBiggerIsBetter (throughput, ops/s)')
    .addHelpText('after', REPORT_HELP)
    .action(async (files: string[], opts: { out?: string; format: string; tool?: string }) => {
      const { reportCommand } = await import('./report.js');
      setExit(reportCommand(io, files, opts));
    });

  program
    .command('compare')
    .description('compare a result with a baseline: per phase p50, p99 and throughput, faster / slower / no change / inconclusive')
    .argument('<baseline>', 'JSON result of the baseline')
    .argument('<current>', 'JSON result to judge')
    .option('--max-regression <pct>', 'a significant slowdown beyond this fails (exit 1)', '10%')
    .option('--noise <pct>', 'changes smaller than this are never called a change', '5%')
    .option('--force', 'compare even across CPU models or Node.js major versions')
    .option('--json', 'print the comparison as JSON')
    .addHelpText('after', COMPARE_HELP)
    .action(async (baseline: string, current: string, opts: { maxRegression?: string; noise?: string; force?: boolean; json?: boolean }) => {
      const { compareCommand } = await import('./compare.js');
      setExit(compareCommand(io, baseline, current, opts));
    });

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
    .action(async (opts: { json?: boolean }) => {
      const { calibrateCommand } = await import('./calibrate.js');
      setExit(await calibrateCommand(io, { json: opts.json === true }));
    });

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
    .addHelpText(
      'after',
      `
Routes: GET / (health), GET /v1/models, POST /v1/chat/completions (JSON, or SSE with "stream": true).
Prints the base URL on stdout; stops cleanly on SIGINT/SIGTERM.

Example:
  $ cluster-bench mock-llm --port 8080 --ttft 50ms --tokens-per-second 100 &
  $ DEEPSEEK_API_KEY=sk-local cluster-bench run llm-call --set providers.llm.baseUrl=http://127.0.0.1:8080/v1 --set providers.llm.stream=true`,
    )
    .action(async (opts: import('./mock-llm.js').MockLlmFlags) => {
      const { mockLlmCommand } = await import('./mock-llm.js');
      setExit(await mockLlmCommand(io, opts));
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
      if (e.code === 'commander.executeSubCommandAsync') return ExitCode.OK;
      return ExitCode.BAD_INPUT;
    }
    if (e instanceof CliError) {
      io.stderr.write(`cluster-bench: error: ${oneLine(e.message)}\n`);
      return e.exitCode;
    }
    if (e instanceof InputError) {
      io.stderr.write(`cluster-bench: error: ${oneLine(e.message)}\n`);
      return ExitCode.BAD_INPUT;
    }
    io.stderr.write(`cluster-bench: internal error (a bug — please report it):\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return ExitCode.RUN_FAILED;
  }
}
