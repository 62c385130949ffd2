/**
 * The output formats: the one list of them. `cluster-bench report --format` takes its
 * choices, its help and its errors from here, so a new format is one renderer file plus one
 * entry below. Renderers load on demand: the CLI reads this list for its help on every start,
 * and the renderers' libraries (cli-table3, chalk) would cost `--version` ~30 ms.
 */
import { InputError } from '../util/input-error.js';
import type { Renderer } from './types.js';

export interface Format {
  /** What `--format` takes. */
  name: string;
  /** Other names `--format` takes, listed before the name (`md` for markdown). */
  aliases?: readonly string[];
  /** One line for `report --help`. */
  description: string;
  /** Colour applies when the output goes to a terminal (never to a file). */
  color?: boolean;
  load(): Promise<Renderer>;
}

export const FORMATS: readonly Format[] = [
  { name: 'markdown', aliases: ['md'], description: 'the report: environment, latency tables, targets, seed matrix (default)', load: async () => (await import('./markdown.js')).markdownRenderer },
  { name: 'json', description: 'the result itself (several files: a JSON list of them)', load: async () => (await import('./json.js')).jsonRenderer },
  { name: 'benchmark-action', description: "github-action-benchmark's entries [{name, unit, value, range?, extra?}]", load: async () => (await import('./benchmark-action.js')).benchmarkActionRenderer },
  { name: 'table', color: true, description: 'the terminal tables `run` prints', load: async () => (await import('./table.js')).tableRenderer },
  { name: 'html', description: 'one self-contained page that opens offline: header, matrix, percentile spectra, time series, capacity', load: async () => (await import('./html.js')).htmlRenderer },
];

/** Every name `--format` takes, aliases first: "md, markdown, json, benchmark-action, table". */
export const FORMAT_CHOICES: readonly string[] = FORMATS.flatMap((f) => [...(f.aliases ?? []), f.name]);

/** The format a name or alias stands for; an InputError listing the choices otherwise. */
export function findFormat(name: string, what = 'report format'): Format {
  const format = FORMATS.find((f) => f.name === name || f.aliases?.includes(name) === true);
  if (format === undefined) throw new InputError(`${what} "${name}": unknown format (allowed: ${FORMAT_CHOICES.join(', ')})`);
  return format;
}

export async function loadRenderer(name: string): Promise<Renderer> {
  return findFormat(name).load();
}
