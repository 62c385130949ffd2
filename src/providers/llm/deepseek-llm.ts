/**
 * The reference LLM provider: a DeepSeek (OpenAI-compatible) chat-completion client. It
 * does the client's real work per call (build the request, serialise it, send it through
 * the transport, parse and check the answer); the transport decides whether a network or
 * the in-process simulation is behind it.
 */
import type { LLMProviderConfig } from '../config.js';
import type { ChatTransport, LLMConfig, LLMProvider, LLMResponse, Message, ToolCall, ToolSpec, CallOptions } from '../types.js';
import type { ChatCompletionRequest, WireTool } from './chat-completion.js';
import { estimateTokens, jsonString, parseChatCompletion } from './chat-completion.js';
import { validateLatencyModel } from './latency.js';
import { ProviderError } from '../provider-error.js';

export interface DeepSeekLLMProviderDeps {
  transport: ChatTransport;
}

function isRate(v: unknown): boolean {
  return typeof v === 'number' && v >= 0 && v <= 1;
}

function isCount(v: unknown, min: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= min;
}

/** Every problem with the config, as "field: what is wrong" lines; [] when valid. */
export function validateLLMConfig(config: LLMProviderConfig): string[] {
  const problems: string[] = [];
  if (typeof config.model !== 'string' || config.model.trim() === '') problems.push('model: must be a non-empty string');
  if (!(typeof config.temperature === 'number' && config.temperature >= 0 && config.temperature <= 2)) {
    problems.push(`temperature: must be a number in [0, 2], got ${String(config.temperature)}`);
  }
  if (!isCount(config.maxTokens, 1)) problems.push(`maxTokens: must be an integer >= 1, got ${String(config.maxTokens)}`);
  if (!isRate(config.errorRate)) problems.push(`errorRate: must be in [0, 1], got ${String(config.errorRate)}`);
  if (!isRate(config.timeoutRate)) problems.push(`timeoutRate: must be in [0, 1], got ${String(config.timeoutRate)}`);
  if (!isCount(config.stallEvery, 0)) problems.push(`stallEvery: must be an integer >= 0, got ${String(config.stallEvery)}`);
  if (!(typeof config.stallForMs === 'number' && Number.isFinite(config.stallForMs) && config.stallForMs >= 0)) {
    problems.push(`stallForMs: must be a finite number >= 0, got ${String(config.stallForMs)}`);
  }
  if (!isCount(config.toolRounds, 0)) problems.push(`toolRounds: must be an integer >= 0, got ${String(config.toolRounds)}`);
  if (!isCount(config.completionTokens, 1)) {
    problems.push(`completionTokens: must be an integer >= 1, got ${String(config.completionTokens)}`);
  }
  if (config.stream === true && config.baseUrl === undefined) problems.push('stream: needs baseUrl (the simulated transport does not stream)');
  if (config.baseUrl !== undefined && !isCount(config.connections, 1)) {
    problems.push(`connections: must be an integer >= 1, got ${String(config.connections)}`);
  }
  try {
    if (typeof config.latency !== 'object' || config.latency === null) throw new Error('must be an object');
    validateLatencyModel(config.latency);
  } catch (error) {
    problems.push(`latency: ${(error as Error).message}`);
  }
  return problems;
}

const ROLE_JSON: Readonly<Record<string, string>> = {
  system: '"system"',
  user: '"user"',
  assistant: '"assistant"',
  tool: '"tool"',
};

function jsonNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

/**
 * Schema-specialised serialisation (what fast-json-stringify does for servers): the shape
 * is fixed, so only the strings are escaped. It produces the JSON that JSON.stringify of
 * the WireMessage would, at a fraction of the cost and without building wire objects.
 */
function writeMessage(m: Message): string {
  // content null is what OpenAI-style APIs send for tool-call-only assistant messages.
  const content = typeof m.content === 'string' ? jsonString(m.content) : 'null';
  let out = `{"role":${ROLE_JSON[m.role] ?? JSON.stringify(m.role)},"content":${content}`;
  const calls = m.toolCalls;
  if (calls !== undefined && calls.length > 0) {
    out += ',"tool_calls":[';
    for (let i = 0; i < calls.length; i++) {
      const c = calls[i] as ToolCall;
      out += `${i > 0 ? ',' : ''}{"id":${jsonString(c.id)},"type":"function","function":{"name":${jsonString(c.name)},"arguments":${jsonString(c.arguments)}}}`;
    }
    out += ']';
  }
  if (m.toolCallId !== undefined) out += `,"tool_call_id":${jsonString(m.toolCallId)}`;
  if (m.name !== undefined) out += `,"name":${jsonString(m.name)}`;
  return `${out}}`;
}

function toWireTools(tools: readonly ToolSpec[]): WireTool[] {
  return tools.map((t) => ({
    type: 'function',
    function: { name: t.name, description: t.description, parameters: t.parameters },
  }));
}

/**
 * The scalar fields of a request as JSON text (`"model":...,` up to the messages, and
 * the tail after them). Computed once per provider for its config: turning 0.7 into text
 * costs more than writing a whole short message.
 */
interface RequestFrame {
  head: string;
  tail: string;
}

function requestFrame(model: string, temperature: number | undefined, maxTokens: number | undefined, stream = false): RequestFrame {
  let tail = ']';
  if (temperature !== undefined) tail += `,"temperature":${jsonNumber(temperature)}`;
  if (maxTokens !== undefined) tail += `,"max_tokens":${jsonNumber(maxTokens)}`;
  // include_usage: the last event carries the token counts, so outputTokens is the server's.
  if (stream) tail += ',"stream":true,"stream_options":{"include_usage":true}';
  return { head: `"model":${JSON.stringify(model)},"messages":[`, tail: `${tail}}` };
}

/**
 * The JSON text of a chat-completion request. `tools` goes first: the key order means
 * nothing to the API, and a constant prefix lets a server reuse its parse of the tool
 * definitions (the simulated transport does; see there).
 */
function writeRequest(frame: RequestFrame, messages: readonly Message[], toolsJson: string | undefined): string {
  let out = toolsJson === undefined ? `{${frame.head}` : `{"tools":${toolsJson},${frame.head}`;
  for (let i = 0; i < messages.length; i++) {
    if (i > 0) out += ',';
    out += writeMessage(messages[i] as Message);
  }
  return out + frame.tail;
}

/** The request body as the provider sends it (exported for tests and custom transports). */
export function serializeChatRequest(
  req: Omit<ChatCompletionRequest, 'messages' | 'tools' | 'stream_options'>,
  messages: readonly Message[],
  tools?: readonly ToolSpec[],
): string {
  const toolsJson = tools !== undefined && tools.length > 0 ? JSON.stringify(toWireTools(tools)) : undefined;
  return writeRequest(requestFrame(req.model, req.temperature, req.max_tokens, req.stream === true), messages, toolsJson);
}

/** Prompt tokens by the local estimate: the characters of every message's text and tool calls. */
export function estimatePromptTokens(messages: readonly Message[]): number {
  let chars = 0;
  for (const m of messages) {
    if (typeof m.content === 'string') chars += m.content.length;
    for (const c of m.toolCalls ?? []) chars += c.name.length + c.arguments.length;
  }
  return estimateTokens(chars);
}

export class DeepSeekLLMProvider implements LLMProvider {
  readonly name = 'deepseek';
  readonly simulated: boolean;
  private readonly config: LLMProviderConfig;
  private readonly transport: ChatTransport;
  private state: 'created' | 'ready' | 'closed' = 'created';
  /**
   * The agent passes the same tool list (same array) on every call: it is serialised once
   * and reused while the caller keeps passing that array. Tool lists are not to be
   * mutated in place after being passed.
   */
  private lastTools: readonly ToolSpec[] | undefined;
  private lastToolsJson: string | undefined;
  private frame: RequestFrame | undefined;

  private readonly streaming: boolean;

  constructor(config: LLMProviderConfig, deps: DeepSeekLLMProviderDeps) {
    this.config = config;
    this.transport = deps.transport;
    this.simulated = deps.transport.simulated;
    this.streaming = config.stream === true;
  }

  /** The transport's totals (HTTP: requests and retries). */
  counters(): Readonly<Record<string, number>> {
    return this.transport.counters?.() ?? {};
  }

  /** Where calls go, e.g. "simulated in-process (latency none)". */
  get transportDescription(): string {
    return this.transport.description;
  }

  async initialize(): Promise<void> {
    if (this.state === 'closed') throw new ProviderError('PROVIDER_NOT_READY', 'deepseek provider: initialize() after close()');
    if (this.state === 'ready') return;
    const problems = validateLLMConfig(this.config);
    if (problems.length > 0) {
      throw new ProviderError('PROVIDER_CONFIG_INVALID', `deepseek provider: invalid config: ${problems.join('; ')}`);
    }
    if (this.streaming && this.transport.stream === undefined) {
      throw new ProviderError('PROVIDER_CONFIG_INVALID', `deepseek provider: stream is on but the transport (${this.transport.description}) cannot stream`);
    }
    await this.transport.initialize?.();
    this.frame = requestFrame(this.config.model, this.config.temperature, this.config.maxTokens, this.streaming);
    this.state = 'ready';
  }

  async call(messages: readonly Message[], config?: LLMConfig, options?: CallOptions): Promise<LLMResponse> {
    if (this.state !== 'ready') {
      throw new ProviderError(
        'PROVIDER_NOT_READY',
        this.state === 'closed' ? 'deepseek provider: call() after close()' : 'deepseek provider: call() before initialize()',
      );
    }
    const tools = config?.tools;
    let toolsJson: string | undefined;
    if (tools !== undefined && tools.length > 0) {
      if (tools !== this.lastTools) {
        this.lastToolsJson = JSON.stringify(toWireTools(tools));
        this.lastTools = tools;
      }
      toolsJson = this.lastToolsJson;
    }
    const frame =
      config === undefined || (config.model === undefined && config.temperature === undefined && config.maxTokens === undefined)
        ? (this.frame as RequestFrame)
        : requestFrame(
            config.model ?? this.config.model,
            config.temperature ?? this.config.temperature,
            config.maxTokens ?? this.config.maxTokens,
            this.streaming,
          );
    const body = writeRequest(frame, messages, toolsJson);
    const signal = options?.signal;
    if (this.streaming) {
      const r = await (this.transport.stream as (b: string, s?: AbortSignal) => Promise<LLMResponse>)(body, signal);
      // A stream without usage: the reader estimated the answer; the prompt is estimated here,
      // where the messages are known, by the same rule (docs/metrics.md).
      if (r.usage.estimated === true && r.usage.promptTokens === 0) {
        const prompt = estimatePromptTokens(messages);
        r.usage = { ...r.usage, promptTokens: prompt, totalTokens: prompt + r.usage.completionTokens };
      }
      return r;
    }
    const answer = await this.transport.send(body, signal);
    return parseChatCompletion(answer);
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    await this.transport.close();
  }
}
