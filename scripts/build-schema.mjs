#!/usr/bin/env node
// Part of `npm run build`: writes the JSON Schema of scenario files, generated from the zod
// schema in the build just made, to schema/scenario.schema.json (shipped; not committed).
// Generated at build time rather than committed so that a field added to
// src/scenarios/schema.ts is in the schema with nothing else to remember or regenerate.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { SCENARIO_SCHEMA_PATH, scenarioJsonSchemaText } = await import(new URL('../dist/scenarios/json-schema.js', import.meta.url).href);
const file = path.join(root, SCENARIO_SCHEMA_PATH);
let text;
try {
  text = scenarioJsonSchemaText();
} catch (e) {
  process.stderr.write(`build-schema: src/scenarios/schema.ts cannot be expressed as JSON Schema: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
mkdirSync(path.dirname(file), { recursive: true });
const tmp = `${file}.${process.pid}.tmp`;
writeFileSync(tmp, text);
renameSync(tmp, file);
