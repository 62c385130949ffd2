/**
 * The command-line program. Commands are imported lazily so that `--version`, `--help` and
 * `list` do not pay for the WebAssembly histograms and providers.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { CliError, ExitCode } from '../errors.js';

const require = createRequire(import.meta.url);
const { version } = require('../../package.json') as { version: string };

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

Latency models for providers.llm.latency:
  none | 5ms | uniform(2ms,8ms) | normal(5ms,1ms) | lognormal(5ms,20ms)  (lognormal: p50, p99)

Exit codes:
  0 all targets met   1 a target missed (red; --strict: yellow too)   2 bad input
  3 the run failed    130 interrupted (the partial result is still written)
`;

export function buildProgram(argv: readonly string[], setExit: (code: number) => void): Command {
  const program = new Command();
  program
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
      process.stdout.write(listCommand(opts.json === true));
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
    .addHelpText('after', RUN_HELP)
    .action(async (refs: string[], opts: { out?: string; json?: boolean; seed?: string; set?: string[]; duration?: string; strict?: boolean; gate: boolean }) => {
      const { runCommand } = await import('./run.js');
      setExit(await runCommand(refs, { ...opts, set: opts.set ?? [] }, argv));
    });

  return program;
}

/** Runs the CLI and returns the exit code (the bin shim sets process.exitCode). */
export async function main(argv: readonly string[]): Promise<number> {
  let code: number = ExitCode.OK;
  const program = buildProgram(argv, (c) => (code = c));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are "errors" only to commander; bad flags are bad input.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.OK;
      if (e.code === 'commander.executeSubCommandAsync') return ExitCode.OK;
      return ExitCode.BAD_INPUT;
    }
    if (e instanceof CliError) {
      process.stderr.write(`cluster-bench: error: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`cluster-bench: internal error (a bug — please report it):\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return ExitCode.RUN_FAILED;
  }
}
