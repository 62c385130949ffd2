#!/usr/bin/env node
/**
 * Writes scenarios/data/conversations.jsonl, the sample dataset the `agent-sessions` scenario
 * runs: 100 multi-turn conversations in cluster-bench's conversations format, generated from
 * a fixed seed by the package's own synthetic generator (src/workload/synthetic.ts). The text
 * is written for this tool, so the file carries no licence beyond the package's own.
 *
 * Its shape is meant to look like real chat traffic, not a fixed prompt: prompt lengths with
 * a long right tail (lognormal, median 40 tokens, 99th percentile 600), answers likewise
 * (median 90, p99 600), 3 to 10 turns, think times of seconds between turns (lognormal, median
 * 3 s), a system prompt in half the conversations, tool lists that differ between them, and a
 * reference answer (ShareGPT-style) in one conversation in six.
 *
 *   npm run build && node scripts/make-sample-dataset.mjs [out.jsonl]
 *
 * The same seed writes the same bytes: the test suite regenerates the file and compares.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { createSyntheticGenerator, parseSyntheticSpec, syntheticText } = await import(path.join(root, 'dist/workload/synthetic.js'));
const { formatRecord } = await import(path.join(root, 'dist/workload/record.js'));
const { createRandom } = await import(path.join(root, 'dist/providers/random.js'));

export const SEED = 14;
export const CONVERSATIONS = 100;
const TOOL_SETS = [undefined, ['calculator', 'search'], ['search'], ['calculator']];

export function sampleLines() {
  const spec = parseSyntheticSpec({
    promptTokens: 'lognormal(40,600)',
    answerTokens: 'lognormal(90,600)',
    turns: 'uniform(3,10)',
    thinkTime: 'lognormal(3s,40s)',
    systemTokens: 'uniform(0,60)',
  });
  if ('field' in spec) throw new Error(`${spec.field}: ${spec.message}`);
  const generate = createSyntheticGenerator(spec, SEED);
  const rng = createRandom(SEED + 1);
  const lines = [];
  for (let n = 1; n <= CONVERSATIONS; n++) {
    const c = generate();
    c.session = `sample-${String(n).padStart(4, '0')}`;
    // Half the conversations have no system prompt.
    if (rng.next() < 0.5) delete c.system;
    const tools = TOOL_SETS[Math.floor(rng.next() * TOOL_SETS.length)];
    if (tools !== undefined) c.tools = tools;
    else delete c.tools;
    // One in six carries the assistant's answers, as a ShareGPT conversion would.
    if (rng.next() < 1 / 6) {
      for (const t of c.turns) {
        t.reference = { role: 'assistant', content: syntheticText(rng, (t.answerTokens ?? 50) * 4, false) };
      }
    }
    lines.push(formatRecord(c));
  }
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? path.join(root, 'scenarios/data/conversations.jsonl');
  const lines = sampleLines();
  writeFileSync(out, lines.join('\n') + '\n');
  process.stdout.write(`wrote ${lines.length} conversations to ${path.relative(process.cwd(), out) || out}\n`);
}
