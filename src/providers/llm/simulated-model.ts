/**
 * The simulated model's server side, shared by the in-process simulated transport and the
 * `mock-llm` HTTP endpoint, so a request one accepts the other accepts too and both ask for
 * the same tools with the same arguments: request validation, reading the conversation,
 * choosing a tool call, and the answer's length under max_tokens. Each side keeps what is
 * its own: the transport writes the response text by hand for speed, the mock streams words.
 */
import type { ChatCompletionRequest, WireFinishReason, WireMessage, WireTool } from './chat-completion.js';
import { estimateTokens, jsonString } from './chat-completion.js';

const ROLES: ReadonlySet<string> = new Set(['system', 'user', 'assistant', 'tool']);

/**
 * What is wrong with a request body (a server's 400), or undefined when it is a well-formed
 * chat-completion request. Minimal, like a server's own validation: enough to catch a client
 * that sends the wrong shape. `toolsKnownValid` skips the tool list (already checked).
 */
export function requestProblem(raw: unknown, toolsKnownValid = false): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'body must be a JSON object';
  const req = raw as Record<string, unknown>;
  if (typeof req['model'] !== 'string' || req['model'] === '') return "'model' must be a non-empty string";
  const messages = req['messages'];
  if (!Array.isArray(messages) || messages.length === 0) return "'messages' must be a non-empty array";
  for (let i = 0; i < messages.length; i++) {
    const m: unknown = messages[i];
    if (typeof m !== 'object' || m === null) return `messages[${i}] must be an object`;
    const { role, content, tool_calls: toolCalls } = m as Record<string, unknown>;
    if (typeof role !== 'string' || !ROLES.has(role)) return `messages[${i}].role is invalid`;
    // OpenAI lets an assistant message that calls tools leave its content out.
    const contentOk = typeof content === 'string' || content === null || (content === undefined && toolCalls !== undefined);
    if (!contentOk) return `messages[${i}].content must be a string or null`;
    if (toolCalls !== undefined) {
      if (!Array.isArray(toolCalls)) return `messages[${i}].tool_calls must be an array`;
      for (const c of toolCalls) {
        const fn = (c as { function?: { name?: unknown; arguments?: unknown } } | null)?.function;
        if (typeof fn?.name !== 'string' || typeof fn.arguments !== 'string') return `messages[${i}].tool_calls[].function needs a name and arguments`;
      }
    }
  }
  const tools = req['tools'];
  if (tools !== undefined && !toolsKnownValid) {
    if (!Array.isArray(tools)) return "'tools' must be an array";
    for (let i = 0; i < tools.length; i++) {
      const fn = (tools[i] as { function?: { name?: unknown } } | null)?.function;
      if (typeof fn?.name !== 'string') return `tools[${i}].function.name must be a string`;
    }
  }
  return undefined;
}

/** What the model reads off the conversation, in one pass. */
export interface Conversation {
  /** Index of the last user message; -1 when there is none. */
  lastUser: number;
  userText: string;
  /** Characters of the prompt: every message's content and tool calls. */
  promptChars: number;
  /** Rounds of tool calls the assistant made since the last user message. */
  rounds: number;
}

export function readConversation(messages: readonly WireMessage[]): Conversation {
  let lastUser = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role === 'user') {
      lastUser = i;
      break;
    }
  }
  let promptChars = 0;
  let rounds = 0;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as WireMessage;
    if (typeof m.content === 'string') promptChars += m.content.length;
    const toolCalls = m.tool_calls;
    if (toolCalls !== undefined) {
      for (const c of toolCalls) promptChars += c.function.name.length + c.function.arguments.length;
      if (i > lastUser && m.role === 'assistant' && toolCalls.length > 0) rounds++;
    }
  }
  const userText = lastUser >= 0 ? (messages[lastUser]?.content ?? '') : '';
  return { lastUser, userText, promptChars, rounds };
}

/** Words the simulated model skips when it turns the user's text into a search query. */
const QUERY_STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'are', 'be', 'can', 'do', 'does', 'for', 'how', 'is', 'it', 'of', 'on', 'or', 'the', 'to',
  'what', 'who', 'why', 'you', 'your', 'with', 'in', 'me', 'tell', 'please', 'about', 'hello', 'hi',
]);
const WORDS = /[a-z0-9]+/g;
const DIGIT = /\d/;
/** The first run of arithmetic characters that contains a digit, e.g. "12 * (3 + 4)". */
const ARITHMETIC = /[-+*/^().\d\s]*\d[-+*/^().\d\s]*/;
const MAX_QUERY_WORDS = 6;
/** ARITHMETIC backtracks quadratically over long runs of spaces; the model only reads this much. */
const MAX_READ_CHARS = 2000;

interface UserTextFeatures {
  text: string;
  numeric: boolean;
  /** Tool-call arguments (JSON text) for the calculator and for any other tool. */
  calculatorArgs: string;
  queryArgs: string;
}

/**
 * What the simulated model reads out of the user's text. Load tests send the same prompt
 * again and again, so the last result is memoised: the regexes would otherwise be a
 * measurable part of every call.
 */
function createFeatureReader(): (text: string) => UserTextFeatures {
  let last: UserTextFeatures | undefined;
  return (fullText) => {
    if (last !== undefined && last.text === fullText) return last;
    const text = fullText.length > MAX_READ_CHARS ? fullText.slice(0, MAX_READ_CHARS) : fullText;
    const numeric = DIGIT.test(text);
    const words = text.toLowerCase().match(WORDS) ?? [];
    let expression: string;
    const arithmetic = numeric ? ARITHMETIC.exec(text)?.[0].trim() : undefined;
    if (arithmetic !== undefined && arithmetic !== '') {
      expression = arithmetic;
    } else {
      // No numbers to work with: the model still "estimates" something from the text.
      expression = `(${words.length} + ${text.length}) / 4`;
    }
    const picked: string[] = [];
    for (const w of words) {
      if (w.length > 1 && !QUERY_STOP_WORDS.has(w)) picked.push(w);
      if (picked.length === MAX_QUERY_WORDS) break;
    }
    const query = picked.length > 0 ? picked.join(' ') : 'cluster node runtime';
    last = {
      text: fullText,
      numeric,
      calculatorArgs: `{"expression":${jsonString(expression)}}`,
      queryArgs: `{"query":${jsonString(query)}}`,
    };
    return last;
  };
}

function toolIndex(tools: readonly WireTool[], name: string): number {
  for (let i = 0; i < tools.length; i++) if (tools[i]?.function.name === name) return i;
  return -1;
}

export interface PlannedToolCall {
  name: string;
  /** JSON text of the arguments. */
  arguments: string;
}

/**
 * Returns the model's tool chooser: which offered tool to call in a given round, and with
 * what arguments. It starts with the tool the question calls for (the calculator for a
 * question with numbers, else search), then rotates through the offered tools, so a
 * multi-round conversation exercises more than one tool. Memoises the last question.
 */
export function createToolPlanner(): (tools: readonly WireTool[], userText: string, round: number) => PlannedToolCall {
  const readFeatures = createFeatureReader();
  return (tools, userText, round) => {
    const features = readFeatures(userText);
    const calc = toolIndex(tools, 'calculator');
    const search = toolIndex(tools, 'search');
    const first = features.numeric ? (calc >= 0 ? calc : Math.max(search, 0)) : search >= 0 ? search : Math.max(calc, 0);
    const name = (tools[(first + round) % tools.length] as WireTool).function.name;
    return { name, arguments: name === 'calculator' ? features.calculatorArgs : features.queryArgs };
  };
}

/** Completion tokens of a tool call, by the model's token estimate. */
export function toolCallTokens(call: PlannedToolCall): number {
  return estimateTokens(call.name.length + call.arguments.length);
}

/** The answer's length: the configured tokens, cut at the request's max_tokens (finish_reason "length"). */
export function answerLength(tokens: number, request: Pick<ChatCompletionRequest, 'max_tokens'>): { tokens: number; finish: WireFinishReason } {
  const max = request.max_tokens;
  if (typeof max === 'number' && max < tokens) return { tokens: Math.max(0, Math.floor(max)), finish: 'length' };
  return { tokens, finish: 'stop' };
}
