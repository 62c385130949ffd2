/**
 * Server-sent events, client side: a line parser (WHATWG "event stream" rules, only the
 * `data` field matters here) and the reader that turns a streamed chat completion back
 * into one LLMResponse plus its timing. Timing definitions live in docs/metrics.md; the
 * short version: an output chunk is a `data:` event whose first choice carries non-empty
 * content or tool-call text, ttft runs to the first of them, the chunk gaps are the gaps
 * between the rest. Token counts are the server's usage; without one, a local estimate
 * (4 characters a token), marked as such.
 */
import type { ChatCompletionChunk } from './chat-completion.js';
import { estimateTokens } from './chat-completion.js';
import { ProviderError } from '../provider-error.js';
import type { LLMResponse, LLMTiming, ToolCall } from '../types.js';

export interface SseParser {
  /** Feeds decoded text; `atMs` is when those bytes were read (every event in it gets that time). */
  push(text: string, atMs: number): void;
  /** End of the stream: dispatches an event that was not followed by a blank line. */
  end(atMs: number): void;
}

/**
 * Calls `onData` with the data of every event (multi-line data joined by "\n"). Events
 * without data (comments, keep-alives, `event:`/`id:`/`retry:` only) are skipped.
 */
export function createSseParser(onData: (data: string, atMs: number) => void): SseParser {
  let buffer = '';
  let data: string[] = [];

  const line = (text: string, atMs: number): void => {
    if (text === '') {
      if (data.length > 0) {
        const joined = data.length === 1 ? (data[0] as string) : data.join('\n');
        data = [];
        onData(joined, atMs);
      }
      return;
    }
    if (text.charCodeAt(0) === 58 /* ':' comment */) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    if (field !== 'data') return;
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    data.push(value);
  };

  return {
    push(text, atMs) {
      buffer = buffer === '' ? text : buffer + text;
      let start = 0;
      for (;;) {
        // A line ends at \n, \r\n or \r; a \r at the very end may be half of a \r\n.
        let i = start;
        const n = buffer.length;
        while (i < n) {
          const c = buffer.charCodeAt(i);
          if (c === 10 || c === 13) break;
          i++;
        }
        if (i >= n) break;
        if (buffer.charCodeAt(i) === 13 && i + 1 >= n) break;
        line(buffer.slice(start, i), atMs);
        start = buffer.charCodeAt(i) === 13 && buffer.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
      }
      buffer = start === 0 ? buffer : buffer.slice(start);
    },
    end(atMs) {
      if (buffer !== '') {
        line(buffer.replace(/\r$/, ''), atMs);
        buffer = '';
      }
      line('', atMs);
    },
  };
}

function badStream(what: string, cause?: unknown): ProviderError {
  return new ProviderError('LLM_BAD_RESPONSE', `malformed event stream from LLM endpoint: ${what}`, { cause });
}

const FINISH: ReadonlySet<string> = new Set(['stop', 'tool_calls', 'length']);

interface PartialCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Reassembles a streamed chat completion. `startMs` is when the request was handed to the
 * connection (performance.now() milliseconds, like every `atMs`).
 */
export class ChatStreamReader {
  private readonly startMs: number;
  private id = '';
  private model = '';
  private content = '';
  private readonly calls: PartialCall[] = [];
  private finish: LLMResponse['finishReason'] | undefined;
  private usage: { prompt_tokens: number; completion_tokens: number; total_tokens?: number } | undefined;
  private firstMs = -1;
  private lastMs = -1;
  private events = 0;
  private readonly gaps: number[] = [];
  /** `data: [DONE]` was seen. */
  done = false;

  constructor(startMs: number) {
    this.startMs = startMs;
  }

  /** One event's data, as the SSE parser hands it over. */
  onData(data: string, atMs: number): void {
    if (this.done) return;
    if (data === '[DONE]') {
      this.done = true;
      return;
    }
    let chunk: ChatCompletionChunk & { error?: unknown };
    try {
      chunk = JSON.parse(data) as ChatCompletionChunk & { error?: unknown };
    } catch (error) {
      throw badStream('an event is not valid JSON', error);
    }
    if (typeof chunk !== 'object' || chunk === null) throw badStream('an event is not a JSON object');
    if (chunk.error !== undefined) {
      // Some servers report failures after the 200 as an event carrying an error object.
      const message = (chunk.error as { message?: unknown } | null)?.message;
      throw new ProviderError(
        'LLM_SERVER_ERROR',
        `LLM endpoint sent an error event${typeof message === 'string' ? `: ${message.slice(0, 200)}` : ''}`,
      );
    }
    if (typeof chunk.id === 'string' && this.id === '') this.id = chunk.id;
    if (typeof chunk.model === 'string' && this.model === '') this.model = chunk.model;
    if (chunk.usage !== undefined && chunk.usage !== null) {
      const u = chunk.usage;
      if (typeof u.prompt_tokens === 'number' && typeof u.completion_tokens === 'number') this.usage = u;
    }
    const choices = chunk.choices;
    if (!Array.isArray(choices) || choices.length === 0) return;
    const choice = choices[0];
    if (typeof choice !== 'object' || choice === null) throw badStream('choices[0] is not an object');
    let output = false;
    const delta = choice.delta;
    if (typeof delta === 'object' && delta !== null) {
      const text = delta.content;
      if (typeof text === 'string' && text.length > 0) {
        this.content += text;
        output = true;
      }
      const calls = delta.tool_calls;
      if (Array.isArray(calls)) {
        for (const c of calls) {
          const index = typeof c?.index === 'number' ? c.index : 0;
          if (index < 0 || index > 127) throw badStream(`tool_calls index ${index} out of range`);
          const call = (this.calls[index] ??= { id: '', name: '', arguments: '' });
          if (typeof c.id === 'string' && c.id !== '') call.id = c.id;
          const fn = c.function;
          if (typeof fn?.name === 'string' && fn.name !== '') {
            call.name += fn.name;
            output = true;
          }
          if (typeof fn?.arguments === 'string' && fn.arguments !== '') {
            call.arguments += fn.arguments;
            output = true;
          }
        }
      }
    }
    const finish = choice.finish_reason;
    if (typeof finish === 'string') {
      if (!FINISH.has(finish)) throw badStream(`unexpected finish_reason ${JSON.stringify(finish)}`);
      this.finish = finish as LLMResponse['finishReason'];
    }
    if (output) {
      if (this.firstMs < 0) this.firstMs = atMs;
      else this.gaps.push((atMs - this.lastMs) * 1e6);
      this.lastMs = atMs;
      this.events++;
    }
  }

  /** The whole answer; throws when the stream ended before the answer was complete. */
  finishAt(endMs: number): LLMResponse {
    if (this.finish === undefined) {
      throw new ProviderError('LLM_BAD_RESPONSE', 'event stream from LLM endpoint ended before a finish_reason');
    }
    const toolCalls: ToolCall[] = [];
    for (let i = 0; i < this.calls.length; i++) {
      const c = this.calls[i];
      if (c === undefined) continue;
      if (c.name === '') throw badStream(`tool call ${i} has no function name`);
      toolCalls.push({ id: c.id === '' ? `call_${i}` : c.id, name: c.name, arguments: c.arguments });
    }
    const estimated = this.usage === undefined;
    const prompt = this.usage?.prompt_tokens ?? 0;
    let completion = this.usage?.completion_tokens;
    if (completion === undefined) {
      // No usage from the server: estimate from the text it sent (the provider, which knows
      // the request, estimates the prompt).
      let chars = this.content.length;
      for (const c of toolCalls) chars += c.name.length + c.arguments.length;
      completion = estimateTokens(chars);
    }
    const timing: LLMTiming = {
      // No output chunk at all (an empty answer): the first token is the end of the stream.
      ttftNs: ((this.firstMs < 0 ? endMs : this.firstMs) - this.startMs) * 1e6,
      chunkGapsNs: this.gaps,
      chunks: this.events,
      outputTokens: completion,
      ...(estimated ? { outputTokensEstimated: true } : {}),
      totalNs: (endMs - this.startMs) * 1e6,
    };
    return {
      id: this.id,
      model: this.model,
      content: this.content,
      toolCalls,
      finishReason: this.finish,
      usage: {
        promptTokens: prompt,
        completionTokens: completion,
        totalTokens: this.usage?.total_tokens ?? prompt + completion,
        ...(estimated ? { estimated: true } : {}),
      },
      timing,
    };
  }
}
