/**
 * The "Reproduce" command of a run: what to type to run the same thing again. The command
 * as typed is not enough: a random seed is not on it, and it may carry output flags that
 * would overwrite the original's files.
 */

/** POSIX-shell quoting: bare when safe, else single quotes (a quote inside as '\''). */
export function quoteArgs(args: readonly string[]): string {
  return args.map((a) => (a !== '' && /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(' ');
}

export interface ReproduceFlags {
  set: readonly string[];
  duration?: string;
  trials?: string;
  strict?: boolean;
  gate: boolean;
}

/**
 * `cluster-bench run REFS --seed N [--set ...] [--duration D] [--trials N] [--strict] [--no-gate]`:
 * every flag that changes what runs or how it is judged, the seed always, in the order given;
 * no --out, --report, --json, --baseline or --checkpoint.
 */
export function reproduceCommand(refs: readonly string[], seed: number, flags: ReproduceFlags): string {
  const args = ['cluster-bench', 'run', ...refs, '--seed', String(seed)];
  for (const s of flags.set) args.push('--set', s);
  if (flags.duration !== undefined) args.push('--duration', flags.duration);
  if (flags.trials !== undefined) args.push('--trials', flags.trials);
  if (flags.strict === true) args.push('--strict');
  if (!flags.gate) args.push('--no-gate');
  return quoteArgs(args);
}
