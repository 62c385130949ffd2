/**
 * The OpenAI-style chat-completion wire format (DeepSeek's API speaks it). Shared by the
 * client (the DeepSeek provider) and the simulated server (the transport), so both sides
 * of the JSON agree by construction. snake_case on purpose: this is the wire, not our API.
 */

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
