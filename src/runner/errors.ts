/**
 * Error kinds: every failed operation is counted under a short, stable kind, whatever the
 * provider threw (an Error with a code, a bare Error, a string, undefined...).
 */
import { formatMs } from '../util/units.js';

/** Thrown into an operation's race when it runs past the phase timeout. */
export class OperationTimeout extends Error {
  readonly code = 'timeout';
  constructor(timeoutMs: number) {
    super(`operation exceeded the ${formatMs(timeoutMs)} timeout`);
    this.name = 'OperationTimeout';
  }
}

export function classifyError(error: unknown): string {
  if (error instanceof OperationTimeout) return 'timeout';
  if (error !== null && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0 && code.length <= 64) return code;
    if (typeof code === 'number') return `code-${code}`;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && name.length > 0 && name.length <= 64) return name;
    return 'thrown-object';
  }
  if (error === null) return 'thrown-null';
  return `thrown-${typeof error}`;
}

/** One line describing an error for messages, whatever was thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  if (typeof error === 'string') return error;
  try {
    return `${classifyError(error)}: ${JSON.stringify(error)}`;
  } catch {
    return classifyError(error);
  }
}
