/**
 * How a long command (run, capacity) stops early, in one place: the first Ctrl-C or SIGTERM
 * stops the load, lets in-flight operations finish and writes what was measured; a second
 * one quits at once. An exception that escapes every operation (a plugin's timer or event
 * handler throwing, a promise nobody awaits rejecting) would otherwise kill Node with a stack
 * trace and lose the run: it stops the run the same way, and the command fails (exit 3) with
 * one line that says what escaped.
 */
import { ExitCode } from '../errors.js';
import { describeError } from '../runner/errors.js';
import type { CliProcess, SignalName } from './process.js';
import type { Progress } from './progress.js';

export interface RunStop {
  /** Aborted on the first signal or escaped exception. */
  readonly signal: AbortSignal;
  /** Stopped by a signal (the command exits 130). */
  readonly interrupted: boolean;
  /** What escaped every operation, when something did (the command exits 3). */
  readonly escaped: string | undefined;
  /** Stops listening (always, in a finally). */
  dispose(): void;
}

/** `what` finishes the sentence "stopping — finishing ..., then writing ...". */
export function watchStops(io: CliProcess, progress: Progress, what: { finishing: string; writing: string }): RunStop {
  const controller = new AbortController();
  let signals = 0;
  let escaped: string | undefined;
  const onSignal = (name: SignalName): void => {
    signals++;
    if (signals === 1) {
      progress.note(`${name}: stopping — finishing ${what.finishing}, then writing ${what.writing} (press Ctrl-C again to quit at once)`);
      controller.abort();
    } else {
      progress.stop();
      io.stderr.write(`${name} again: quitting without writing the result\n`);
      io.exit(ExitCode.INTERRUPTED);
    }
  };
  const onEscaped = (error: unknown): void => {
    // The first one is the cause; later ones are usually its consequences.
    if (escaped !== undefined) return;
    escaped = `an exception escaped every operation (a provider's timer or event handler?): ${describeError(error)}`;
    progress.note(`error: ${escaped}; stopping, then writing ${what.writing}`);
    controller.abort();
  };
  io.signals.on('SIGINT', onSignal);
  io.signals.on('SIGTERM', onSignal);
  io.escapes?.on(onEscaped);
  return {
    signal: controller.signal,
    get interrupted() {
      return signals > 0;
    },
    get escaped() {
      return escaped;
    },
    dispose() {
      io.signals.off('SIGINT', onSignal);
      io.signals.off('SIGTERM', onSignal);
      io.escapes?.off(onEscaped);
    },
  };
}
