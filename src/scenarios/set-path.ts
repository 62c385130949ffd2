/**
 * `--set PATH=VALUE`: overrides one field of a raw scenario document by its dotted path
 * (array elements by index) before validation, so a bad override gets the same checks and
 * messages as a bad file.
 */
import { parse as parseYaml } from 'yaml';

export class SetOverrideError extends Error {}

export interface SetOverride {
  path: string[];
  value: unknown;
  source: string;
}

const SEGMENT_RE = /^[A-Za-z0-9_-]+$/;
/** Would reach Object.prototype through the document instead of a field of it. */
const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);

export function parseSetOverride(text: string): SetOverride {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new SetOverrideError(`--set "${text}": expected PATH=VALUE, e.g. providers.llm.latency=5ms`);
  const pathText = text.slice(0, eq).trim();
  const valueText = text.slice(eq + 1);
  const path = pathText.split('.');
  if (path.some((s) => FORBIDDEN_SEGMENTS.has(s))) {
    throw new SetOverrideError(`--set "${text}": "${pathText}" names an object's prototype; no scenario field is called that`);
  }
  if (path.some((s) => !SEGMENT_RE.test(s))) {
    throw new SetOverrideError(`--set "${text}": "${pathText}" is not a dotted path (letters, digits, "-", "_" joined by ".", array indexes as numbers)`);
  }
  let value: unknown;
  try {
    // YAML scalar rules: 5 is a number, true a boolean, [a, b] a list, 5ms stays a string.
    value = valueText.trim() === '' ? '' : parseYaml(valueText, { logLevel: 'error' });
  } catch {
    value = valueText;
  }
  return { path, value, source: text };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return `a ${typeof v}`;
}

/** Applies the override in place; creates missing objects on the way, never missing array slots. */
export function applySetOverride(doc: Record<string, unknown>, o: SetOverride): void {
  let node: unknown = doc;
  for (let i = 0; i < o.path.length; i++) {
    const key = o.path[i] as string;
    const last = i === o.path.length - 1;
    const where = o.path.slice(0, i).join('.') || '(top level)';
    if (Array.isArray(node)) {
      const index = Number(key);
      if (!Number.isInteger(index) || index < 0 || index >= node.length) {
        throw new SetOverrideError(`--set "${o.source}": ${where} is a list of ${node.length}; "${key}" is not an index in 0..${node.length - 1}`);
      }
      if (last) node[index] = o.value;
      else {
        if (node[index] === undefined || node[index] === null) node[index] = {};
        node = node[index];
      }
    } else if (node !== null && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      if (last) obj[key] = o.value;
      else {
        if (obj[key] === undefined || obj[key] === null) obj[key] = {};
        node = obj[key];
      }
    } else {
      throw new SetOverrideError(`--set "${o.source}": cannot set a field inside ${where}, which is ${describe(node)}`);
    }
  }
}
