/**
 * Seeded synthetic conversations, for workloads without a file: the length of every prompt
 * and answer, the number of turns and the think time between them are drawn from the
 * configured distributions. The text is made of plain English about running AI services,
 * written for this tool (no licence questions); about one question in four carries
 * arithmetic, so the simulated model reaches for the calculator as well as the search tool.
 * Prompt lengths match the tool's token estimate (4 characters a token) within 10 %.
 */
import { createRandom } from '../providers/random.js';
import type { Random } from '../providers/types.js';
import type { ConversationSource } from './dataset.js';
import { createSampler, describeDistribution, parseDistribution, type Distribution } from './distributions.js';
import type { Conversation, Turn } from './record.js';

export interface SyntheticSpec {
  /** Tokens of each user message. */
  promptTokens: Distribution;
  /** Expected answer length of each turn (sent as max_tokens). */
  answerTokens: Distribution;
  /** Turns per conversation. */
  turns: Distribution;
  /** Pause before each turn after the first, ms. */
  thinkTime: Distribution;
  /** Tokens of a system prompt sent on every turn (0: none). */
  systemTokens: Distribution;
}

export const DEFAULT_SYNTHETIC: Readonly<Record<keyof SyntheticSpec, string>> = {
  promptTokens: 'lognormal(60,600)',
  answerTokens: 'lognormal(120,800)',
  turns: 'uniform(2,8)',
  thinkTime: '0',
  systemTokens: '0',
};

const KINDS: Readonly<Record<keyof SyntheticSpec, 'count' | 'duration'>> = {
  promptTokens: 'count',
  answerTokens: 'count',
  turns: 'count',
  thinkTime: 'duration',
  systemTokens: 'count',
};

/** Parses a synthetic spec (strings as written in a scenario); errors name the field. */
export function parseSyntheticSpec(input: Partial<Record<keyof SyntheticSpec, string | number>>): SyntheticSpec | { field: keyof SyntheticSpec; message: string } {
  const out: Partial<SyntheticSpec> = {};
  for (const key of Object.keys(DEFAULT_SYNTHETIC) as Array<keyof SyntheticSpec>) {
    const d = parseDistribution(input[key] ?? DEFAULT_SYNTHETIC[key], KINDS[key]);
    if (typeof d === 'string') return { field: key, message: d };
    out[key] = d;
  }
  return out as SyntheticSpec;
}

/** The spec in words, key by key (results, and the workload's fingerprint). */
export function describeSynthetic(spec: SyntheticSpec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(DEFAULT_SYNTHETIC) as Array<keyof SyntheticSpec>) out[key] = describeDistribution(spec[key], KINDS[key]);
  return out;
}

const OPENERS = [
  'How do I', 'What is the best way to', 'Can you explain how to', 'Why does it take so long to', 'Is it safe to',
  'What happens when we', 'Help me plan how to', 'Compare two ways to', 'Walk me through how to', 'Should we',
];
const ACTIONS = [
  'scale the inference cluster', 'cache model responses', 'expire idle chat sessions', 'stream tokens to the browser',
  'batch requests on one GPU', 'measure tail latency', 'roll out a new model version', 'limit requests per tenant',
  'keep conversation history small', 'retry failed tool calls', 'warm up the model servers', 'shard the vector index',
  'pick a context window', 'trace a slow agent step', 'compress long prompts', 'set a timeout for the search tool',
];
const DETAILS = [
  'during the evening peak', 'without dropping open sessions', 'when memory is tight', 'for a few thousand users',
  'with two regions', 'while a deploy is running', 'on shared machines', 'when the queue keeps growing',
  'for long documents', 'if the cache is cold', 'under a strict budget', 'for mostly short questions',
];
const FILLER = [
  'We run about forty nodes and each keeps its own session store.', 'Most users ask short questions, but some paste whole reports.',
  'Last week the p99 doubled after a config change and nobody noticed for a day.', 'The agent calls a calculator and a search tool.',
  'Our replies are usually a paragraph, sometimes a full page with code.', 'Sessions idle for half an hour are dropped.',
  'The load balancer spreads requests evenly, but sessions stick to one node.', 'We care more about time to first token than total time.',
  'Tool results are stored with the conversation so the next turn can use them.', 'The team wants numbers we can defend in the report.',
  'Please keep the answer practical and mention what to measure first.', 'Earlier you suggested smaller windows; that helped a little.',
];
const SYSTEM = [
  'You are a helpful operations assistant for an AI platform team.', 'Answer precisely, show your reasoning briefly, and prefer measured facts.',
  'When numbers are involved, use the calculator tool.', 'When the question is about the platform, search the knowledge base first.',
];

function pick<T>(rng: Random, list: readonly T[]): T {
  return list[Math.floor(rng.next() * list.length)] as T;
}

/**
 * Text of about `chars` characters that starts with a question: cut at a word boundary when
 * one is near (within a tenth), so its token estimate is within 10 % of chars / 4.
 */
export function syntheticText(rng: Random, chars: number, arithmetic: boolean): string {
  let text = arithmetic
    ? `What is ${2 + Math.floor(rng.next() * 98)} * ${2 + Math.floor(rng.next() * 98)} + ${Math.floor(rng.next() * 1000)}, and how would we ${pick(rng, ACTIONS)}?`
    : `${pick(rng, OPENERS)} ${pick(rng, ACTIONS)} ${pick(rng, DETAILS)}?`;
  while (text.length < chars) text += ` ${pick(rng, FILLER)}`;
  if (text.length <= chars) return text;
  const cut = text.lastIndexOf(' ', chars);
  return cut >= chars * 0.9 ? text.slice(0, cut) : text.slice(0, Math.max(1, chars));
}

function systemText(rng: Random, chars: number): string {
  let text = pick(rng, SYSTEM);
  while (text.length < chars) text += ` ${pick(rng, SYSTEM)}`;
  return text.slice(0, chars);
}

/** Makes conversations from a spec; the same seed makes the same ones. */
export function createSyntheticGenerator(spec: SyntheticSpec, seed: number): () => Conversation {
  const rng = createRandom(seed);
  const prompt = createSampler(spec.promptTokens, 'count', rng);
  const answer = createSampler(spec.answerTokens, 'count', rng);
  const turns = createSampler(spec.turns, 'count', rng);
  const think = createSampler(spec.thinkTime, 'duration', rng);
  const system = createSampler(spec.systemTokens, 'count', rng, 0);
  let n = 0;
  return () => {
    n++;
    const count = turns();
    const systemTokens = system();
    const list: Turn[] = [];
    for (let t = 0; t < count; t++) {
      const content = syntheticText(rng, prompt() * 4, rng.next() < 0.25);
      list.push({ user: { role: 'user', content }, answerTokens: answer(), thinkTimeMs: t === 0 ? 0 : think() });
    }
    return {
      session: `synthetic-${n}`,
      ...(systemTokens > 0 ? { system: { role: 'system' as const, content: systemText(rng, systemTokens * 4) } } : {}),
      turns: list,
    };
  };
}

/** A source that never runs dry. */
export function syntheticSource(spec: SyntheticSpec, seed: number): ConversationSource {
  const generate = createSyntheticGenerator(spec, seed);
  return {
    next: generate,
    ready: () => Promise.resolve(),
    passes: 1,
    close: () => undefined,
  };
}

