/**
 * The JSON Schema of scenario files: generated from the zod schema, it accepts every shipped
 * scenario, rejects nothing the loader accepts, and whatever it rejects the loader rejects
 * too (exit 2). Validated with ajv, a standard JSON Schema validator, as editors would.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SCENARIO_SCHEMA_FILE } from '../../src/cli/schema.js';
import { forEachField, FIELD_DESCRIPTIONS, SCENARIO_SCHEMA_PATH, scenarioJsonSchema, scenarioJsonSchemaText } from '../../src/scenarios/json-schema.js';
import { scenarioSchema } from '../../src/scenarios/schema.js';
import { BUILTIN_DIR } from '../../src/scenarios/builtin.js';
import { parseDurationMs } from '../../src/util/units.js';
import { ROOT, tempDir } from '../e2e/helpers.js';
import { runInProcess } from '../helpers/in-process.js';

const schema = scenarioJsonSchema();
// strict: unknown keywords or malformed schema parts are errors, not silently ignored. But
// `oneOf: [{ required: [a] }, { required: [b] }]` ("exactly one of a, b") is standard JSON
// Schema that strictRequired would flag only because the branches do not repeat `properties`.
const ajv = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true });
const validate = ajv.compile(schema);

const shipped = readdirSync(BUILTIN_DIR).filter((f) => /\.ya?ml$/.test(f));

interface CorpusEntry {
  why: string;
  doc: unknown;
  text: string;
}

/** The documents of a corpus file (separated by "---"), each with the comment line just above it. */
function corpus(name: string): CorpusEntry[] {
  const text = readFileSync(path.join(ROOT, 'test', 'fixtures', 'scenario-corpus', name), 'utf8');
  return text.split(/^---$/m).map((chunk) => {
    const lines = chunk.split('\n');
    const first = lines.findIndex((l) => l.trim() !== '' && !l.startsWith('#'));
    const why = lines.slice(0, first).filter((l) => l.startsWith('#')).pop();
    if (why === undefined) throw new Error(`${name}: a document without a comment saying what is wrong with it`);
    return { why: why.replace(/^#\s*/, ''), doc: parse(chunk) as unknown, text: chunk };
  });
}

const dir = tempDir();
let n = 0;
async function loaderRun(text: string): Promise<{ code: number; stderr: string; file: string }> {
  const file = path.join(dir, `corpus-${++n}.yaml`);
  writeFileSync(file, text);
  const r = await runInProcess(['run', file, '--no-save'], { cwd: dir });
  return { code: r.code, stderr: r.stderr, file };
}

describe('the scenario JSON Schema', () => {
  it('is what the build shipped and what `cluster-bench schema` prints', async () => {
    expect(SCENARIO_SCHEMA_FILE).toBe(path.join(ROOT, SCENARIO_SCHEMA_PATH));
    // A stale build fails here: `npm run build` regenerates the file.
    expect(readFileSync(SCENARIO_SCHEMA_FILE, 'utf8')).toBe(scenarioJsonSchemaText());
    const r = await runInProcess(['schema']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(schema);
    const p = await runInProcess(['schema', '--path']);
    expect(p.stdout.trim()).toBe(SCENARIO_SCHEMA_FILE);
  });

  it('is draft-07, closed (additionalProperties false) and requires name and phases', () => {
    expect(schema['$schema']).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema['required']).toEqual(['name', 'phases']);
    expect(schema['additionalProperties']).toBe(false);
  });

  it.each(shipped.map((f) => [f]))('validates the shipped scenario %s, which names it on its first line', (file) => {
    const text = readFileSync(path.join(BUILTIN_DIR, file), 'utf8');
    const ok = validate(parse(text));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const first = text.split('\n')[0] as string;
    const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
    expect(m, first).not.toBeNull();
    expect(path.resolve(BUILTIN_DIR, (m as RegExpExecArray)[1] as string)).toBe(SCENARIO_SCHEMA_FILE);
  });

  it('has a description for every field whose description is kept, and none for fields that are gone', () => {
    const fields: string[] = [];
    forEachField(schema, (p, node) => {
      fields.push(p);
      if (FIELD_DESCRIPTIONS[p] !== undefined) expect(node['description']).toContain(FIELD_DESCRIPTIONS[p]);
    });
    const stale = Object.keys(FIELD_DESCRIPTIONS).filter((k) => !fields.includes(k));
    expect(stale).toEqual([]);
    // Rules zod knows stay in the text after the hand-written part.
    const timeout = (schema['properties'] as never)['phases']['items']['properties']['timeout'] as Record<string, unknown>;
    expect(timeout['description']).toMatch(/^Per-operation timeout.*: a duration such as/);
  });

  it('says something about every field (a field zod cannot express would be {}: give it a .meta() hint)', () => {
    const silent: string[] = [];
    const saysNothing = (node: Record<string, unknown>): boolean => Object.keys(node).every((k) => k === 'description' || k === 'default');
    forEachField(schema, (p, node) => {
      if (saysNothing(node)) silent.push(p);
    });
    expect(silent).toEqual([]);
  });

  describe('invalid documents: what the schema rejects, the loader rejects with exit 2', () => {
    const entries = corpus('schema-rejects.yaml');
    it('has a corpus', () => expect(entries.length).toBeGreaterThanOrEqual(30));
    it.each(entries.map((e) => [e.why, e]))('%s', async (_why, e) => {
      expect(validate(e.doc)).toBe(false);
      const r = await loaderRun(e.text);
      expect(r.code).toBe(2);
      expect(r.stderr).not.toContain('internal error');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^cluster-bench: error: /);
    });
  });

  describe('invalid documents only the loader can tell (the schema accepts them)', () => {
    it.each(corpus('loader-only.yaml').map((e) => [e.why, e]))('%s', async (_why, e) => {
      expect(validate(e.doc)).toBe(true);
      const r = await loaderRun(e.text);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^cluster-bench: error: /);
    });
  });

  // The string forms zod parses with a transform: the schema's patterns must accept every
  // string the parser accepts (else editors would flag valid files), and durations exactly.
  const junk = fc.constantFrom(' ', '.', '-', 'e', '+', '1', '0', '5', 'ms', 's', 'm', 'min', 'h', 'us', 'µs', 'ns', 'x', ',', '(', ')');
  const durationish = fc.oneof(
    fc.tuple(fc.constantFrom('', ' '), fc.stringMatching(/^\d{0,3}(\.\d{0,2})?$/), fc.constantFrom('', ' '), fc.constantFrom('ns', 'us', 'µs', 'ms', 's', 'm', 'min', 'h', 'sec', ''), fc.constantFrom('', ' ')).map((p) => p.join('')),
    fc.array(junk, { maxLength: 6 }).map((p) => p.join('')),
  );
  const field = (doc: Record<string, unknown>): boolean => validate({ name: 'x', phases: [{ name: 'a', op: 'noop', executor: { type: 'iterations', iterations: 1 }, ...doc }] });

  it('accepts a duration string exactly when the parser does', () => {
    fc.assert(
      fc.property(durationish, (text) => {
        const parsed = parseDurationMs(text);
        expect(field({ params: { advance: text } })).toBe(parsed !== undefined && parsed >= 0);
      }),
      { numRuns: 2000, seed: 15 },
    );
  });

  it('rejects a latency model only when the loader does', () => {
    const latency = fc.oneof(
      durationish,
      fc.tuple(fc.constantFrom('uniform', 'normal', 'lognormal', 'gauss', ''), fc.constantFrom('(', ' ('), durationish, fc.constantFrom(',', ', ', ''), durationish, fc.constantFrom(')', ') ', '')).map((p) => p.join('')),
      fc.constantFrom('none', ' none ', '0', 'None'),
    );
    fc.assert(
      fc.property(latency, (text) => {
        const doc = { name: 'x', providers: { llm: { latency: text } }, phases: [{ name: 'a', op: 'noop', executor: { type: 'iterations', iterations: 1 } }] };
        if (!validate(doc)) expect(scenarioSchema.safeParse(doc).success).toBe(false);
      }),
      { numRuns: 2000, seed: 15 },
    );
  });
});
