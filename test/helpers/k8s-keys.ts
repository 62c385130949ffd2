/**
 * kubernetes-models checks types, enums and required fields, but a misspelled key
 * (`completionMod`) passes (NOTES-scale-out.md). This walks a manifest against the property
 * names of the package's own TypeScript definitions, so an unknown key at any depth is found.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../e2e/helpers.js';

interface Shape {
  /** Property name → the interface file it refers to ('' = a scalar or a free map). */
  props: Map<string, { file: string; array: boolean }>;
}

const cache = new Map<string, Shape>();

function resolveImport(from: string, spec: string): string {
  return spec.startsWith('.') ? path.resolve(path.dirname(from), `${spec}.d.ts`) : path.join(ROOT, 'node_modules', `${spec}.d.ts`);
}

function shapeOf(file: string): Shape {
  const known = cache.get(file);
  if (known) return known;
  const text = readFileSync(file, 'utf8');
  const imports = new Map<string, string>();
  for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) imports.set(m[1]!, resolveImport(file, m[2]!));
  // The first interface's body: properties at four spaces, up to its closing brace.
  const body = /^export interface \w+[^{]*\{\n([\s\S]*?)^\}/m.exec(text)?.[1] ?? '';
  const props = new Map<string, { file: string; array: boolean }>();
  for (const m of body.matchAll(/^ {4}"([^"]+)"\??: (Array<(\w+)>|(\w+))?/gm)) {
    const type = m[3] ?? m[4] ?? '';
    props.set(m[1]!, { file: imports.get(type) ?? '', array: m[3] !== undefined });
  }
  const shape = { props };
  cache.set(file, shape);
  return shape;
}

/** Every key of `value` not in the interface of `file`, as dotted paths. */
export function unknownKeys(value: unknown, file: string, at = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const shape = shapeOf(file);
  const out: string[] = [];
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const where = at === '' ? key : `${at}.${key}`;
    const prop = shape.props.get(key);
    if (prop === undefined) {
      out.push(where);
      continue;
    }
    if (prop.file === '') continue;
    const items = prop.array && Array.isArray(child) ? child : [child];
    items.forEach((item, i) => out.push(...unknownKeys(item, prop.file, prop.array ? `${where}.${i}` : where)));
  }
  return out;
}

/** The definitions file of a kind: `batch/v1` Job → kubernetes-models/batch/v1/Job.d.ts, `v1` PVC → v1/. */
export function definitionOf(apiVersion: string, kind: string): string {
  return path.join(ROOT, 'node_modules/kubernetes-models', apiVersion, `${kind}.d.ts`);
}
