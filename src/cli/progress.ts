/**
 * Turns runner events into progress: an ora spinner on a terminal, plain lines otherwise
 * (CI logs, pipes) at the phase's cadence but at most about once a second.
 */
import type { OutStream } from './process.js';
import type { RunEvent, ProgressSnapshot } from '../runner/events.js';
import { formatCount, formatMs, formatNs, formatRate } from '../util/units.js';

interface Spinner {
  text: string;
  start(text?: string): Spinner;
  stop(): Spinner;
  succeed(text?: string): Spinner;
  fail(text?: string): Spinner;
  info(text?: string): Spinner;
}

export interface Progress {
  onEvent(event: RunEvent): void;
  /** A message that must not be garbled by the spinner. */
  note(line: string): void;
  stop(): void;
}

const MIN_LINE_INTERVAL_MS = 1_000;
const DEFAULT_LINE_INTERVAL_MS = 5_000;

function n(v: number): string {
  return formatCount(Math.round(v));
}

function eta(s: ProgressSnapshot, rate: number): string | undefined {
  if (s.plannedMs !== undefined) return `${Math.max(0, Math.ceil((s.plannedMs - s.elapsedMs) / 1000))}s left`;
  if (s.plannedOps !== undefined && rate > 0) return `ETA ${Math.max(0, Math.ceil((s.plannedOps - s.done) / rate))}s`;
  return undefined;
}

export function describeProgress(phase: string, s: ProgressSnapshot, rate: number): string {
  const amount =
    s.plannedOps !== undefined
      ? `${n(s.done)}/${n(s.plannedOps)} (${Math.floor((100 * s.done) / Math.max(1, s.plannedOps))}%)`
      : `${n(s.done)} ops`;
  const parts = [
    phase,
    amount,
    s.plannedMs !== undefined ? `${Math.floor(s.elapsedMs / 1000)}s/${Math.round(s.plannedMs / 1000)}s` : undefined,
    formatRate(rate),
    `p99 ${formatNs(s.p99Ns)}`,
    `${n(s.errors)} errors`,
    eta(s, rate),
  ];
  return parts.filter(Boolean).join('  ');
}

/**
 * The first line of a scenario: its name exactly as written (never re-cased), what it does, and
 * which providers it runs against, each by its own `name` (plugins too), with the LLM's transport.
 */
export function scenarioHeader(e: Extract<RunEvent, { type: 'scenario-start' }>): string {
  const llm = `LLM: ${e.names.llm}, ${e.transport}${e.simulated ? '' : ' (not simulated)'}`;
  const what = e.description === '' ? '' : ` ${e.description}`;
  return `${e.scenario}:${what} [${llm}; memory: ${e.names.memory}; agent: ${e.names.agent}]`;
}

export async function createProgress(stream: OutStream, tty: boolean): Promise<Progress> {
  let spinner: Spinner | undefined;
  if (tty) {
    const { default: ora } = await import('ora');
    spinner = ora({ stream: stream as NodeJS.WriteStream, discardStdin: false }) as unknown as Spinner;
  }
  let phase = '';
  let progressEvery: number | undefined;
  let lastLineAt = 0;
  let lastLineDone = 0;
  let lastDone = 0;
  let lastAt = 0;
  let rate = 0;

  const line = (text: string): void => {
    stream.write(`${text}\n`);
  };

  return {
    onEvent(e) {
      switch (e.type) {
        case 'scenario-start':
          (spinner ? spinner.info.bind(spinner) : line)(scenarioHeader(e));
          break;
        case 'phase-start':
          phase = `${e.scenario} › ${e.phase}`;
          progressEvery = e.progressEvery;
          lastLineAt = Date.now();
          lastLineDone = 0;
          lastDone = 0;
          lastAt = 0;
          rate = 0;
          if (spinner) spinner.start(phase);
          else if (!e.phase.endsWith('(warm-up)')) {
            const size = e.plannedOps !== undefined ? `${n(e.plannedOps)} ops` : e.plannedMs !== undefined ? formatMs(e.plannedMs) : '';
            line(`${phase}: started (${e.op}${size ? `, ${size}` : ''})`);
          }
          break;
        case 'progress': {
          const s = e.snapshot;
          const dt = s.elapsedMs - lastAt;
          if (dt > 0) rate = ((s.done - lastDone) * 1000) / dt;
          lastDone = s.done;
          lastAt = s.elapsedMs;
          const text = describeProgress(phase, s, rate);
          if (spinner) {
            spinner.text = text;
            break;
          }
          const now = Date.now();
          const due = progressEvery !== undefined
            ? Math.floor(s.done / progressEvery) > Math.floor(lastLineDone / progressEvery)
            : now - lastLineAt >= DEFAULT_LINE_INTERVAL_MS;
          if (due && now - lastLineAt >= MIN_LINE_INTERVAL_MS) {
            line(text);
            lastLineAt = now;
            lastLineDone = s.done;
          }
          break;
        }
        case 'phase-end': {
          const p = e.phase;
          const text = `${e.scenario} › ${p.name}: ${n(p.count)} ops in ${formatMs(p.durationMs)}, ${formatRate(p.throughput)}, p99 ${formatNs(p.latency.p99)}, ${n(p.errors)} errors`;
          if (spinner) (p.errors > 0 ? spinner.fail(text) : spinner.succeed(text));
          else line(text);
          break;
        }
        case 'scenario-end':
          if (e.result.failure) (spinner ? spinner.fail.bind(spinner) : line)(`${e.result.name}: FAILED: ${e.result.failure}`);
          break;
        case 'warning':
          (spinner ? spinner.info.bind(spinner) : line)(`${e.scenario}: warning: ${e.message}`);
          break;
      }
    },
    note(text) {
      if (spinner) spinner.info(text);
      else line(text);
    },
    stop() {
      spinner?.stop();
    },
  };
}
