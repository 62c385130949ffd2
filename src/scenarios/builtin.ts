/**
 * The built-in scenarios and how `run` arguments name scenario files. Kept apart from the
 * schema so that `list` loads only the YAML parser, not zod and the validators.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { InputError } from '../util/input-error.js';

/** scenarios/ at the package root, from src/scenarios or dist/scenarios alike. */
export const BUILTIN_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/** Built-ins in the seed's order; `run all` runs these but soak. */
export const BUILTIN_NAMES = ['init', 'llm-call', 'store-retrieve', 'agent', 'concurrency', 'memory', 'stress', 'soak'] as const;
export const ALL_EXCLUDES = new Set(['soak']);


export function builtinPath(name: string): string | undefined {
  for (const ext of ['.yaml', '.yml', '.json']) {
    const p = path.join(BUILTIN_DIR, name + ext);
    if (existsSync(p)) return p;
  }
  return undefined;
}

export function listBuiltins(): Array<{ name: string; description: string; file: string }> {
  const known = new Set<string>(BUILTIN_NAMES);
  const extra = readdirSync(BUILTIN_DIR)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .map((f) => f.replace(/\.(ya?ml|json)$/, ''))
    .filter((n) => !known.has(n))
    .sort();
  return [...BUILTIN_NAMES, ...extra].flatMap((name) => {
    const file = builtinPath(name);
    if (!file) return [];
    const doc = readDocument(file) as { description?: unknown };
    return [{ name, description: typeof doc.description === 'string' ? doc.description : '', file }];
  });
}

/** Turns `run` arguments into scenario files: built-in names, `all`, or paths. */
export function resolveScenarioRefs(refs: readonly string[], cwd: string = process.cwd()): string[] {
  const files: string[] = [];
  for (const ref of refs) {
    if (ref === 'all') {
      for (const name of BUILTIN_NAMES) if (!ALL_EXCLUDES.has(name)) files.push(builtinPath(name) as string);
      continue;
    }
    const builtin = /^[a-z0-9-]+$/.test(ref) ? builtinPath(ref) : undefined;
    if (builtin) {
      files.push(builtin);
      continue;
    }
    const file = path.resolve(cwd, ref);
    if (existsSync(file) && statSync(file).isFile()) {
      files.push(ref);
      continue;
    }
    throw new InputError(
      `unknown scenario "${ref}": not a built-in (${BUILTIN_NAMES.join(', ')}, all) and no such file`,
    );
  }
  return files;
}

/** Parses a YAML or JSON file; a syntax error is a one-line InputError with line and column. */
export function readDocument(file: string, cwd: string = process.cwd()): unknown {
  let text: string;
  try {
    text = readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new InputError(`${file}: cannot read the file (${code})`);
  }
  // YAML 1.2 is a superset of JSON, so one parser serves both formats.
  // logLevel 'error': yaml would otherwise print a Node warning on stderr for a key that is a
  // list or a mapping; such a key fails validation anyway, as an unknown key.
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, logLevel: 'error' });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    const where = pos ? `:${pos.line}:${pos.col}` : '';
    const message = (first.message.split('\n')[0] ?? first.message).replace(/ at line \d+, column \d+:?$/, '');
    throw new InputError(`${file}${where}: invalid ${file.endsWith('.json') ? 'JSON/YAML' : 'YAML'}: ${message}`);
  }
  try {
    // toJS expands aliases; the yaml package stops an alias bomb ("billion laughs") there.
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/alias/i.test(message)) {
      throw new InputError(`${file}: invalid YAML: too many alias expansions (more than ${MAX_ALIAS_COUNT}): anchors and aliases nested like an "alias bomb"`);
    }
    throw new InputError(`${file}: invalid YAML: ${message.split('\n')[0] ?? message}`);
  }
}

/** Alias expansions a document may make (the yaml package's default): enough for any real scenario. */
export const MAX_ALIAS_COUNT = 100;
