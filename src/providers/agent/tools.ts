/**
 * The agent's built-in tools. They do real work (parse and evaluate arithmetic, rank
 * documents) so an agent execution costs what a small tool-using agent costs, not a sleep.
 * Tools are synchronous and stateless: one instance serves every concurrent execution.
 */
import type { ToolSpec } from '../types.js';

export interface Tool {
  spec: ToolSpec;
  /** Returns the text handed back to the model; throws an Error with a readable message on bad input. */
  run(args: Record<string, unknown>): string;
}

// ---------------------------------------------------------------------------------------
// calculator: recursive descent over
//   expr    := term (('+' | '-') term)*
//   term    := unary (('*' | '/') unary)*
//   unary   := ('+' | '-') unary | power
//   power   := primary ('^' unary)?        right-associative; -2^2 = -(2^2) as in maths
//   primary := number | '(' expr ')'
//   number  := digits ['.' digits] | '.' digits
// ---------------------------------------------------------------------------------------

const MAX_EXPRESSION_LENGTH = 1000;
/** Bounds the recursion so "((((...))))" from a model cannot overflow the stack. */
const MAX_DEPTH = 100;

function addOrSubtract(op: number, left: number, right: number): number {
  return op === 43 /* + */ ? left + right : left - right;
}

function multiplyOrDivide(op: number, left: number, right: number, at: number): number {
  if (op === 42 /* * */) return left * right;
  if (right === 0) throw new Error(`division by zero at position ${at + 1}`);
  return left / right;
}

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly src: string) {}

  parse(): number {
    this.skipSpaces();
    if (this.pos >= this.src.length) throw new Error('empty expression');
    const value = this.expr();
    this.skipSpaces();
    if (this.pos < this.src.length) this.fail(`unexpected '${this.src[this.pos]}'`);
    return value;
  }

  private expr(): number {
    return this.chain(this.termFn, 43 /* + */, 45 /* - */, addOrSubtract);
  }

  private term(): number {
    return this.chain(this.unaryFn, 42 /* * */, 47 /* / */, multiplyOrDivide);
  }

  // Bound once: expr and term run for every sub-expression.
  private readonly termFn = (): number => this.term();
  private readonly unaryFn = (): number => this.unary();

  /** A left-associative chain: operand (op operand)*, with op one of two characters. */
  private chain(operand: () => number, op1: number, op2: number, apply: (op: number, left: number, right: number, at: number) => number): number {
    let value = operand();
    for (;;) {
      this.skipSpaces();
      const c = this.src.charCodeAt(this.pos);
      if (c !== op1 && c !== op2) return value;
      this.pos++;
      const at = this.pos;
      value = apply(c, value, operand(), at);
    }
  }

  private unary(): number {
    this.skipSpaces();
    const c = this.src.charCodeAt(this.pos);
    if (c === 45 /* - */ || c === 43 /* + */) {
      this.pos++;
      this.enter();
      const operand = this.unary();
      this.depth--;
      return c === 45 ? -operand : operand;
    }
    return this.power();
  }

  private power(): number {
    const base = this.primary();
    this.skipSpaces();
    if (this.src.charCodeAt(this.pos) === 94 /* ^ */) {
      this.pos++;
      this.enter();
      const exponent = this.unary();
      this.depth--;
      return base ** exponent;
    }
    return base;
  }

  private primary(): number {
    this.skipSpaces();
    const c = this.src.charCodeAt(this.pos);
    if (c === 40 /* ( */) {
      this.pos++;
      this.enter();
      const value = this.expr();
      this.depth--;
      this.skipSpaces();
      if (this.src.charCodeAt(this.pos) !== 41 /* ) */) this.fail("missing ')'");
      this.pos++;
      return value;
    }
    return this.number();
  }

  private number(): number {
    const start = this.pos;
    let digits = 0;
    let whole = 0;
    let c = this.src.charCodeAt(this.pos);
    while (isDigit(c)) {
      whole = whole * 10 + (c - 48);
      digits++;
      c = this.src.charCodeAt(++this.pos);
    }
    // Integers are summed up digit by digit (exact below 2^53); Number() of a slice costs more.
    if (c !== 46 /* . */ && digits > 0 && digits <= 15) return whole;
    if (c === 46 /* . */) {
      this.pos++;
      while (isDigit(this.src.charCodeAt(this.pos))) {
        this.pos++;
        digits++;
      }
    }
    if (digits === 0) {
      this.pos = start;
      if (start >= this.src.length) this.fail('unexpected end of expression');
      this.fail(`expected a number, got '${this.src[start]}'`);
    }
    return Number(this.src.slice(start, this.pos));
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
  }

  private skipSpaces(): void {
    let c = this.src.charCodeAt(this.pos);
    while (c === 32 || c === 9 || c === 10 || c === 13) c = this.src.charCodeAt(++this.pos);
  }

  private fail(what: string): never {
    throw new Error(`${what} at position ${this.pos + 1}`);
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Evaluates an arithmetic expression: + - * / ^, parentheses, decimals, unary signs. */
export function evaluateExpression(expression: string): number {
  if (expression.length > MAX_EXPRESSION_LENGTH) {
    throw new Error(`expression longer than ${MAX_EXPRESSION_LENGTH} characters`);
  }
  const value = new Parser(expression).parse();
  if (!Number.isFinite(value)) throw new Error('result is not a finite number');
  return value;
}

/** 12 significant digits hides binary noise (0.1 + 0.2 prints 0.3) and keeps integers exact. */
export function formatNumber(value: number): string {
  // Integers print exactly and fast; toPrecision costs most of a small calculation.
  if (Number.isSafeInteger(value)) return String(value === 0 ? 0 : value);
  const rounded = Number(value.toPrecision(12));
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

/** A tool of one string argument: its JSON-schema spec, and a run that checks the argument first. */
function oneArgumentTool(name: string, description: string, arg: { name: string; description: string }, run: (value: string) => string): Tool {
  return {
    spec: {
      name,
      description,
      parameters: { type: 'object', properties: { [arg.name]: { type: 'string', description: arg.description } }, required: [arg.name] },
    },
    run(args) {
      const value = args[arg.name];
      if (typeof value !== 'string') throw new Error(`${name}: '${arg.name}' must be a string`);
      return run(value);
    },
  };
}

const calculator = oneArgumentTool(
  'calculator',
  'Evaluate an arithmetic expression with + - * / ^ and parentheses.',
  { name: 'expression', description: 'e.g. "(2 + 3) * 4"' },
  (expression) => formatNumber(evaluateExpression(expression)),
);

// ---------------------------------------------------------------------------------------
// search: TF-IDF ranking over a small built-in corpus, through an inverted index built
// once at module load, so a query costs a few map lookups per term and no corpus scan.
// ---------------------------------------------------------------------------------------

export interface SearchDocument {
  title: string;
  text: string;
}

export const SEARCH_CORPUS: readonly SearchDocument[] = [
  { title: 'Cluster node runtime', text: 'A cluster node hosts an LLM provider, a memory provider and an agent provider on one async runtime.' },
  { title: 'Tokio async runtime', text: 'The node runs on tokio: a multi-threaded async runtime with a work-stealing scheduler and non-blocking I/O.' },
  { title: 'DeepSeek LLM provider', text: 'The DeepSeek provider sends OpenAI-style chat completion requests and parses the response, tool calls and token usage.' },
  { title: 'LLM configuration', text: 'LLMConfig sets the model name, temperature, max tokens and the tools offered to the model.' },
  { title: 'Memory provider', text: 'The memory provider stores messages per session and retrieves the last N messages, oldest first.' },
  { title: 'Sliding memory window', text: 'Each session keeps a sliding window of its most recent messages; older messages are dropped in amortised constant time.' },
  { title: 'Idle session expiry', text: 'Sessions idle longer than the TTL expire; a periodic sweep removes them and counts the expired sessions.' },
  { title: 'Session cap and LRU eviction', text: 'When the session cap is reached the least recently used session is evicted to bound memory use.' },
  { title: 'Batch store', text: 'Batch store writes the messages of many sessions in one call, saving a round trip per session.' },
  { title: 'AI agent provider', text: 'The agent runs a reason-act loop: the model asks for tools, the agent runs them and feeds the results back.' },
  { title: 'Agent iterations', text: 'An agent execution stops when the model answers or when it reaches the maximum number of iterations.' },
  { title: 'Execution state tracking', text: 'The agent tracks its status, iterations, tool calls, token usage and the duration of every step.' },
  { title: 'Tool calling', text: 'Tools are described by a name, a description and JSON schema parameters; the model returns the arguments as JSON.' },
  { title: 'Calculator tool', text: 'The calculator tool evaluates arithmetic expressions with operator precedence, parentheses and decimals.' },
  { title: 'Shared ownership', text: 'Messages are shared by reference, like an Arc in Rust, instead of being copied between providers.' },
  { title: 'Object pooling', text: 'Object pools reuse buffers and connections to avoid allocation and garbage collection in the hot path.' },
  { title: 'LRU response cache', text: 'An LRU cache with a TTL in front of the LLM provider returns repeated answers keyed by messages and config.' },
  { title: 'Connection pool', text: 'A connection pool keeps LLM connections open and limits how many requests are in flight at once.' },
  { title: 'Latency percentiles', text: 'HDR histograms record every latency and report p50, p90, p99 and max without keeping every sample.' },
  { title: 'Stress and soak tests', text: 'Stress tests drive thousands of concurrent users; soak tests run for an hour to find leaks and slow-downs.' },
  { title: 'Fault injection', text: 'The simulated transport injects server errors, timeouts and event loop stalls at configured rates.' },
];

/** Words too common to tell documents apart; dropping them keeps scores meaningful. */
const STOP_WORDS = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'can', 'do', 'does', 'for', 'from', 'how', 'i', 'in', 'is',
  'it', 'its', 'me', 'of', 'on', 'or', 'the', 'their', 'them', 'then', 'to', 'what', 'when', 'which', 'who',
  'why', 'with', 'you', 'your', 'about', 'tell', 'please', 'this', 'that', 'one', 'per', 'every',
]);

const WORD = /[a-z0-9]+/g;

/** Lower-cased words of the text without stop words. */
export function searchTerms(text: string): string[] {
  const words = text.toLowerCase().match(WORD);
  if (words === null) return [];
  const out: string[] = [];
  for (const w of words) if (!STOP_WORDS.has(w)) out.push(w);
  return out;
}

/** Short on purpose: tool results travel back to the model in every later request. */
const SNIPPET_CHARS = 64;

interface Posting {
  doc: number;
  weight: number;
}

/** term -> documents with tf * idf, tf normalised by document length so long texts do not win by size. */
function buildIndex(corpus: readonly SearchDocument[]): Map<string, Posting[]> {
  const counts = corpus.map((d) => {
    const terms = searchTerms(`${d.title} ${d.title} ${d.text}`); // title words count twice
    const tf = new Map<string, number>();
    for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    return { tf, length: terms.length };
  });
  const df = new Map<string, number>();
  for (const { tf } of counts) for (const t of tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const index = new Map<string, Posting[]>();
  counts.forEach(({ tf, length }, doc) => {
    for (const [t, n] of tf) {
      const idf = Math.log(1 + corpus.length / (df.get(t) ?? 1));
      let list = index.get(t);
      if (list === undefined) index.set(t, (list = []));
      list.push({ doc, weight: (n / length) * idf });
    }
  });
  return index;
}

const INDEX = buildIndex(SEARCH_CORPUS);
const SNIPPETS = SEARCH_CORPUS.map((d) =>
  d.text.length <= SNIPPET_CHARS ? d.text : `${d.text.slice(0, SNIPPET_CHARS - 3).trimEnd()}...`,
);

export interface SearchHit {
  title: string;
  snippet: string;
  score: number;
}

/** Top `limit` documents by summed TF-IDF of the query terms; ties keep corpus order. */
export function searchCorpus(query: string, limit = 3): SearchHit[] {
  const scores = new Float64Array(SEARCH_CORPUS.length);
  for (const term of searchTerms(query)) {
    const postings = INDEX.get(term);
    if (postings === undefined) continue;
    for (const p of postings) scores[p.doc] = (scores[p.doc] ?? 0) + p.weight;
  }
  // Partial selection: the corpus is small and limit is 3, so this beats sorting all of it.
  const hits: SearchHit[] = [];
  const taken = new Uint8Array(SEARCH_CORPUS.length);
  for (let k = 0; k < limit; k++) {
    let best = -1;
    let bestScore = 0;
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i] ?? 0;
      if (taken[i] === 0 && s > bestScore) {
        best = i;
        bestScore = s;
      }
    }
    if (best < 0) break;
    taken[best] = 1;
    const doc = SEARCH_CORPUS[best];
    if (doc !== undefined) hits.push({ title: doc.title, snippet: SNIPPETS[best] ?? '', score: bestScore });
  }
  return hits;
}

const search = oneArgumentTool(
  'search',
  'Search the cluster-node knowledge base; returns the top 3 titles with snippets.',
  { name: 'query', description: 'keywords' },
  (query) => {
    const hits = searchCorpus(query, 3);
    if (hits.length === 0) return `no results for "${query}"`;
    let out = '';
    for (let i = 0; i < hits.length; i++) {
      const h = hits[i];
      if (h !== undefined) out += `${i > 0 ? '\n' : ''}${i + 1}. ${h.title}: ${h.snippet}`;
    }
    return out;
  },
);

export const BUILTIN_TOOLS: Readonly<Record<string, Tool>> = Object.freeze({ calculator, search });

export const TOOL_NAMES: readonly string[] = Object.freeze(Object.keys(BUILTIN_TOOLS));
