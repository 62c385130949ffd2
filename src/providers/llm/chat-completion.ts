/**
 * The OpenAI-style chat-completion wire format (DeepSeek's API speaks it). Shared by the
 * client (the DeepSeek provider) and the simulated server (the transport), so both sides
 * of the JSON agree by construction. snake_case on purpose: this is the wire, not our API.
 */
import { ProviderError } from '../provider-error.js';
import type { LLMResponse, ToolCall } from '../types.js';

export interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface WireMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  tool_calls?: WireToolCall[];
  tool_call_id?: string;
  name?: string;
}

export interface WireTool {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export interface ChatCompletionRequest {
  model: string;
  messages: WireMessage[];
  temperature?: number;
  max_tokens?: number;
  tools?: WireTool[];
  /** Answer as server-sent events of ChatCompletionChunk, ended by `data: [DONE]`. */
  stream?: boolean;
  /** With include_usage, a last chunk with empty choices carries the usage. */
  stream_options?: { include_usage?: boolean };
}

export type WireFinishReason = 'stop' | 'tool_calls' | 'length';

export interface ChatCompletionResponse {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: { role: 'assistant'; content: string | null; tool_calls?: WireToolCall[] };
    finish_reason: WireFinishReason;
  }>;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/** One server-sent event of a streamed answer (`object: "chat.completion.chunk"`). */
export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: {
      role?: 'assistant';
      content?: string | null;
      /** Arguments arrive in pieces; `index` says which call a piece belongs to. */
      tool_calls?: Array<{ index: number; id?: string; type?: 'function'; function?: { name?: string; arguments?: string } }>;
    };
    finish_reason: WireFinishReason | null;
  }>;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
}

/**
 * Token estimate used by the simulated model: ceil(characters / 4), the usual rule of
 * thumb for English text with BPE tokenizers. A real tokenizer would cost more than the
 * rest of the simulated call together; what the benchmark needs is a count that grows
 * with the text, not an exact one.
 */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

/** Characters JSON.stringify would escape (quote, backslash, controls) or check (surrogates). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * JSON text of a string, identical to JSON.stringify(s). Most strings on this wire need no
 * escaping, and testing for that is cheaper than JSON.stringify's general path.
 */
export function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

export function badResponse(what: string, cause?: unknown): ProviderError {
  return new ProviderError('LLM_BAD_RESPONSE', `malformed response from LLM endpoint: ${what}`, { cause });
}

const FINISH_REASONS: ReadonlySet<string> = new Set(['stop', 'tool_calls', 'length']);

/** Checks the parts of the answer we use; anything off is LLM_BAD_RESPONSE, never a TypeError. */
export function parseChatCompletion(text: string): LLMResponse {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw badResponse('not valid JSON', error);
  }
  if (typeof raw !== 'object' || raw === null) throw badResponse('not a JSON object');
  const r = raw as Record<string, unknown>;
  if (typeof r['id'] !== 'string') throw badResponse("'id' missing");
  if (typeof r['model'] !== 'string') throw badResponse("'model' missing");
  const choices = r['choices'];
  if (!Array.isArray(choices) || choices.length === 0) throw badResponse("'choices' missing or empty");
  const choice = choices[0] as Record<string, unknown> | null;
  if (typeof choice !== 'object' || choice === null) throw badResponse('choices[0] is not an object');
  const message = choice['message'] as Record<string, unknown> | null | undefined;
  if (typeof message !== 'object' || message === null) throw badResponse('choices[0].message missing');
  const content = message['content'];
  if (typeof content !== 'string' && content !== null && content !== undefined) {
    throw badResponse('choices[0].message.content is not a string');
  }
  const finish = choice['finish_reason'];
  if (typeof finish !== 'string' || !FINISH_REASONS.has(finish)) {
    throw badResponse(`unexpected finish_reason ${JSON.stringify(finish)}`);
  }
  const toolCalls: ToolCall[] = [];
  const wireCalls = message['tool_calls'];
  if (wireCalls !== undefined && wireCalls !== null) {
    if (!Array.isArray(wireCalls)) throw badResponse('tool_calls is not an array');
    for (let i = 0; i < wireCalls.length; i++) {
      const c = wireCalls[i] as { id?: unknown; function?: { name?: unknown; arguments?: unknown } } | null;
      const fn = c?.function;
      if (typeof c?.id !== 'string' || typeof fn?.name !== 'string' || typeof fn.arguments !== 'string') {
        throw badResponse(`tool_calls[${i}] lacks id, function.name or function.arguments`);
      }
      toolCalls.push({ id: c.id, name: fn.name, arguments: fn.arguments });
    }
  }
  const usage = r['usage'] as Record<string, unknown> | null | undefined;
  if (typeof usage !== 'object' || usage === null) throw badResponse("'usage' missing");
  const prompt = usage['prompt_tokens'];
  const completion = usage['completion_tokens'];
  const total = usage['total_tokens'];
  if (typeof prompt !== 'number' || typeof completion !== 'number') throw badResponse('usage token counts missing');
  return {
    id: r['id'],
    model: r['model'],
    content: typeof content === 'string' ? content : '',
    toolCalls,
    finishReason: finish as LLMResponse['finishReason'],
    usage: {
      promptTokens: prompt,
      completionTokens: completion,
      totalTokens: typeof total === 'number' ? total : prompt + completion,
    },
  };
}

