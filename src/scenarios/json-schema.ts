/**
 * The JSON Schema of scenario files, generated from the zod schema the loader validates
 * with (zod 4's `toJSONSchema`, input side: what a file may say, before defaults and unit
 * conversions), so the two cannot drift apart. Editors read it through the
 * `# yaml-language-server: $schema=...` line of a scenario file and complete and check it.
 *
 * `npm run build` writes it to schema/scenario.schema.json (shipped in the package) and
 * `cluster-bench schema` prints it. Only the descriptions below are written by hand: zod
 * knows the rules, not what a field is for. A description whose field is gone fails
 * test/scenarios/json-schema.test.ts; a new field simply has none until someone adds it.
 */
import { z } from 'zod';
import { scenarioSchema } from './schema.js';

/** Where the package keeps the generated file, relative to its root. */
export const SCENARIO_SCHEMA_PATH = 'schema/scenario.schema.json';

/**
 * What each field is for, by dotted path (`[]` = every item of an array). Shown by editors
 * on hover and in completion lists; the value rules are zod's and are appended after these.
 */
export const FIELD_DESCRIPTIONS: Readonly<Record<string, string>> = {
  name: 'Name of the scenario, used in tables, reports and result files: lower-case letters, digits, "-" and "_"',
  description: 'One line saying what the scenario measures; printed above its results',
  providers: 'The three providers every phase runs on: the LLM, the session memory and the agent. Omit a section to use the reference provider with its defaults',
  'providers.llm': 'The LLM provider: the reference DeepSeek-style client over a simulated transport (default), a real OpenAI-compatible endpoint (baseUrl), or your own plugin (module)',
  'providers.llm.model': 'Model name put in every chat-completion request',
  'providers.llm.latency': 'Simulated model latency per call',
  'providers.llm.errorRate': 'Fraction of simulated calls that fail with LLM_SERVER_ERROR (0..1)',
  'providers.llm.timeoutRate': 'Fraction of simulated calls that never answer; the phase timeout ends them as timeout errors (0..1)',
  'providers.llm.stallEvery': 'After every N-th simulated call, freeze the whole process for stallFor (like a stop-the-world GC pause); 0 = never',
  'providers.llm.stallFor': 'How long each stall freezes the process',
  'providers.llm.toolRounds': 'Simulated model: rounds of tool calls it asks for before it answers',
  'providers.llm.completionTokens': 'Simulated model: tokens in a final answer',
  'providers.llm.temperature': 'Sampling temperature put in every request (0..2)',
  'providers.llm.maxTokens': 'max_tokens put in every request',
  'providers.llm.module': 'Your own LLM provider: path to an ES module (.mjs, or .js in a "type": "module" package) whose default export is a factory; relative to this file. See docs/plugins.md',
  'providers.llm.options': 'Free-form settings handed to your plugin factory as ctx.options (copied into the result: no secrets)',
  'providers.llm.baseUrl': 'Send real OpenAI-compatible chat completions to this base URL (e.g. http://127.0.0.1:8080/v1) instead of the simulated transport',
  'providers.llm.apiKeyEnv': 'Name of the environment variable holding the API key (never the key itself)',
  'providers.llm.connections': 'HTTP connections in the pool (baseUrl only)',
  'providers.llm.stream': 'Stream responses (SSE) and record time to first token and inter-token latency (baseUrl or plugin only)',
  'providers.llm.timeout': 'Timeout of one HTTP request',
  'providers.llm.retries': 'Retries of failed HTTP requests: a count, or { max, backoff, maxBackoff }',
  'providers.llm.retries.max': 'Retries after the first attempt',
  'providers.llm.retries.backoff': 'Wait before the first retry (doubles each time)',
  'providers.llm.retries.maxBackoff': 'Longest wait between retries',
  'providers.llm.cache': 'An LRU response cache in front of the LLM',
  'providers.llm.cache.max': 'Responses kept',
  'providers.llm.cache.ttl': 'How long a response stays valid; 0 = forever',
  'providers.llm.pool': 'A pool of LLM provider instances shared by the operations',
  'providers.llm.pool.size': 'Instances in the pool',
  'providers.memory': 'The session memory: the reference sliding-window store (default) or your own plugin (module)',
  'providers.memory.windowSize': 'Messages kept per session (a sliding window)',
  'providers.memory.idleTtl': 'Idle sessions expire after this',
  'providers.memory.maxSessions': 'Least recently used sessions are evicted beyond this many',
  'providers.memory.module': 'Your own memory provider: path to an ES module whose default export is a factory; relative to this file. See docs/plugins.md',
  'providers.memory.options': 'Free-form settings handed to your plugin factory as ctx.options (copied into the result: no secrets)',
  'providers.agent': 'The agent: the reference reason-act loop over the run\'s LLM and memory (default) or your own plugin (module)',
  'providers.agent.maxIterations': 'Hard stop of the reason-act loop',
  'providers.agent.tools': 'Tools offered to the model',
  'providers.agent.storeConversation': 'Store each execution\'s conversation in the memory provider',
  'providers.agent.module': 'Your own agent: path to an ES module whose default export is a factory (it gets the run\'s llm and memory); relative to this file. See docs/plugins.md',
  'providers.agent.options': 'Free-form settings handed to your plugin factory as ctx.options (copied into the result: no secrets)',
  phases: 'Phases run in order, on the same providers; each is one histogram in the results',
  'phases[].name': 'Name of the phase, used by targets ("<phase> p99 < 50ms / < 30ms")',
  'phases[].description': 'What the phase does, in the report',
  'phases[].op':
    'What one operation is: llm.call, agent.execute, memory.store, memory.store-batch, memory.retrieve, memory.sweep, llm.init / memory.init / agent.init (new + initialize() of a fresh provider), mixed (an LLM call, a store and an execution), noop (what the harness costs)',
  'phases[].params': 'Parameters of the operation',
  'phases[].params.prompt': 'User message of llm.call, agent.execute and mixed; {i} is replaced by the operation index',
  'phases[].params.sessions': 'Sessions used round-robin: operation i uses session_{i % sessions}; with a dataset or synthetic workload, conversations open at a time',
  'phases[].params.content': 'Message text of memory stores; {i} is replaced by the operation index',
  'phases[].params.limit': 'memory.retrieve, or any operation of a dataset or synthetic workload: how many of the newest messages of the session to read',
  'phases[].params.batchSize': 'memory.store-batch: messages per batch',
  'phases[].params.advance': 'memory.sweep: idle time to let pass on the providers\' clock before sweeping',
  'phases[].executor':
    'How load is offered: iterations (N operations, C at a time), vus (closed model: virtual users back to back), rate (open model: operations per second, latency from the scheduled start)',
  'phases[].executor.type': 'iterations, vus or rate',
  'phases[].executor.iterations': 'Operations to run',
  'phases[].executor.concurrency': 'Operations in flight at once',
  'phases[].executor.vus': 'Virtual users, each running operations back to back',
  'phases[].executor.iterationsPerVu': 'Operations per virtual user (or give duration instead)',
  'phases[].executor.duration': 'How long the phase offers load',
  'phases[].executor.rate': 'Operations started per second, whether or not earlier ones have finished',
  'phases[].executor.maxInFlight': 'Operations in flight at most; later starts are counted as dropped',
  'phases[].executor.arrival': 'rate only: when operations arrive: constant (evenly spaced), poisson (seeded; see burst) or trace (replay recorded timestamps)',
  'phases[].executor.burst': 'arrival: poisson only: coefficient of variation of the gaps; 1 = Poisson, above 1 bursty, 0 = constant',
  'phases[].executor.trace': 'arrival: trace only: JSONL file of {"timestamp": ms} records to replay; relative to this file',
  'phases[].executor.speed': 'arrival: trace only: replay this many times faster',
  'phases[].params.dataset': 'Conversations to replay from a JSONL file (one conversation per line), relative to this file; see docs/workloads.md',
  'phases[].params.order': 'dataset only: read the conversations in file order or shuffled (seeded)',
  'phases[].params.synthetic': 'Conversations drawn from seeded distributions instead of a file (true for the defaults); see docs/workloads.md',
  'phases[].params.synthetic.promptTokens': 'Tokens of each user message: a number, fixed(v), uniform(min,max), normal(mean,sd) or lognormal(p50,p99)',
  'phases[].params.synthetic.answerTokens': 'Expected answer length in tokens (sent as max_tokens)',
  'phases[].params.synthetic.turns': 'Turns per conversation',
  'phases[].params.synthetic.thinkTime': 'Pause before each turn after the first (a duration distribution)',
  'phases[].params.synthetic.systemTokens': 'System prompt length in tokens',
  'phases[].params.popularity': 'Which open conversation the next turn continues: even, or zipf(s) for a few popular sessions',
  'phases[].params.thinkTimeScale': 'Multiplies recorded or drawn think times (0.001 = a thousand times shorter)',
  'phases[].warmup': 'Operations run first and not recorded',
  'phases[].timeout': 'Per-operation timeout; slower operations count as timeout errors',
  'phases[].batch': 'Time operations in batches (each recorded value is then a batch mean): auto decides from the warm-up, off, or a batch size',
  'phases[].progressEvery': 'Without a terminal, print a progress line every N operations (at most one a second)',
  'phases[].interval': 'Length of the time-series intervals (throughput, p99, heap over time)',
  workers: 'Worker threads the scenario runs on (each with its own providers and share of the load): auto = one per core; run --workers overrides it',
  targets: 'Targets held against the results: a row of the target-metrics matrix each, with a 🟢/🟡/🔴 verdict',
  'targets[].metric': 'The matrix row this target fills, e.g. "LLM call response"',
  'targets[].expr':
    '"<phase> <stat> <cmp> <current> / <cmp> <target>", e.g. "sequential p99 < 50ms / < 30ms". Stats: min mean p50 p90 p95 p99 p999 max, throughput (2000/s), errorRate (0.1%), count, heapDelta (20MB)',
};

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Calls `visit` with the dotted path of every property schema (through arrays and unions),
 * in the schema's own order.
 */
export function forEachField(schema: unknown, visit: (path: string, node: JsonObject) => void, prefix = ''): void {
  if (!isObject(schema)) return;
  const properties = schema['properties'];
  if (isObject(properties)) {
    for (const [key, child] of Object.entries(properties)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      if (isObject(child)) visit(path, child);
      forEachField(child, visit, path);
    }
  }
  if (isObject(schema['items'])) forEachField(schema['items'], visit, `${prefix}[]`);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options)) for (const option of options) forEachField(option, visit, prefix);
  }
}

/**
 * The JSON Schema of a scenario file. Draft-07: every keyword it needs is there, and it is
 * the draft editors and their YAML language servers have supported longest. Deterministic:
 * same zod schema, same text.
 */
export function scenarioJsonSchema(): JsonObject {
  // io: 'input' describes what a file may contain (defaults make fields optional; a duration
  // is a string or a number), which is what an editor checks. A field zod cannot express
  // (z.custom, z.date) becomes {} (anything) rather than breaking the build for everyone:
  // looser than the loader is safe, and test/scenarios/json-schema.test.ts names such fields
  // so they get a `.meta({...})` hint like the durations have.
  const generated = z.toJSONSchema(scenarioSchema, { io: 'input', target: 'draft-07', unrepresentable: 'any' }) as JsonObject;
  forEachField(generated, (path, node) => {
    const text = FIELD_DESCRIPTIONS[path];
    if (text === undefined) return;
    const rule = node['description'];
    node['description'] = typeof rule === 'string' && rule !== '' ? `${text}: ${rule}` : text;
  });
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: 'cluster-bench scenario',
    description:
      'A cluster-bench scenario file: providers, phases (operations offered by an executor) and targets. Generated from the zod schema cluster-bench validates with.',
    ...rest,
  };
}

/** The file's text: what `cluster-bench schema` prints and the build writes. */
export function scenarioJsonSchemaText(): string {
  return JSON.stringify(scenarioJsonSchema(), null, 2) + '\n';
}
