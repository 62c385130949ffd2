/**
 * The chart library the HTML report inlines: uPlot's minified build, its stylesheet and its
 * licence, read from the installed package (never fetched: a report must open offline, and
 * peers whose reports load code from a hosted URL broke when the host moved).
 *
 * Why a cached read here and assets as an argument of the renderer: the renderer
 * (`renderHtmlReport`) stays a pure function of (results, assets), so tests can hand it
 * small fixed assets and its output does not depend on which uPlot happens to be installed;
 * the registry's `html` renderer, which must fit the same interface as every other format,
 * gets the assets from this one module-level read. The read is of an immutable installed
 * package, once per process, so it adds no state a caller could observe.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface HtmlAssets {
  /** uPlot's IIFE build: defines the global `uPlot`. */
  uplotJs: string;
  uplotCss: string;
  /** uPlot's MIT licence text, kept with the inlined copy as the licence asks. */
  uplotLicense: string;
  uplotVersion: string;
}

let cached: HtmlAssets | undefined;

/** Reads uPlot from node_modules once per process. */
export function loadHtmlAssets(): HtmlAssets {
  if (cached !== undefined) return cached;
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = path.dirname(require.resolve('uplot/package.json'));
  } catch {
    throw new Error('the HTML report needs the "uplot" package, a dependency of cluster-bench: reinstall cluster-bench (npm ci)');
  }
  const read = (file: string): string => readFileSync(path.join(dir, file), 'utf8');
  const pkg = JSON.parse(read('package.json')) as { version?: unknown };
  cached = {
    uplotJs: read('dist/uPlot.iife.min.js'),
    uplotCss: read('dist/uPlot.min.css'),
    uplotLicense: read('LICENSE'),
    uplotVersion: typeof pkg.version === 'string' ? pkg.version : 'unknown',
  };
  return cached;
}
