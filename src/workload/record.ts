/**
 * One line of a conversations file (JSONL): one conversation. Two shapes are read.
 *
 * Ours (OpenAI-style messages; unknown keys are errors, so a misspelt field is not silently
 * ignored):
 *
 *   {"session": "user-42",                      optional; default "<file>-<line>"
 *    "tools": ["calculator", "search"],          optional: the tools offered (agent.execute)
 *    "thinkTime": "2s",                          optional: pause before each turn after the first
 *    "messages": [
 *      {"role": "system", "content": "You are ..."},
 *      {"role": "user", "content": "...", "answerTokens": 120},      expected answer length
 *      {"role": "assistant", "content": "..."},                      reference answer
 *      {"role": "user", "content": "...", "thinkTime": "5s"}]}       pause before this turn (not the first)
 *
 * ShareGPT's ({"id", "conversations": [{"from": "human" | "gpt" | "system", "value"}]}), the
 * file the peers benchmark with; other keys are ignored there, leading replies dropped.
 *
 * A turn is a user message. Its expected answer length is its `answerTokens`, else the
 * estimated tokens of the assistant reply that follows it in the record (vLLM's ShareGPT
 * rule), else the provider's default.
 */
import { z } from 'zod';
import { estimateTokens } from '../providers/llm/chat-completion.js';
import type { Message } from '../providers/types.js';
import { strictObject } from '../util/strict-object.js';
import { DURATION_HELP, parseDurationMs } from '../util/units.js';

/** Tools a record may offer: the agent's built-in ones. */
export const RECORD_TOOLS = ['calculator', 'search'] as const;

export interface Turn {
  user: Message;
  /** Expected answer length, tokens (sent as max_tokens); undefined: the provider's default. */
  answerTokens?: number;
  /** The assistant reply that follows in the record (memory operations store it as history). */
  reference?: Message;
  /** Pause before this turn is sent, ms. */
  thinkTimeMs: number;
}

export interface Conversation {
  session: string;
  /** System prompt, sent before the history on every turn (not stored in memory). */
  system?: Message;
  tools?: string[];
  turns: Turn[];
}

const thinkTime = z.union([z.string(), z.number()], { error: `expected a think time: ${DURATION_HELP}, or a number of ms >= 0` }).transform((v, ctx) => {
  const ms = typeof v === 'number' ? v : parseDurationMs(v);
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
    ctx.addIssue({
      code: 'custom',
      message: typeof v === 'number' || /^\s*-/.test(v) ? `think time ${JSON.stringify(v)} is negative (expected a duration >= 0)` : `"${v}" is not ${DURATION_HELP}`,
    });
    return z.NEVER;
  }
  return ms;
});

const answerTokens = z.number({ error: 'expected a whole number of tokens > 0' }).int('expected a whole number of tokens > 0').positive('expected a whole number of tokens > 0');

// A record's objects say so when a value is not an object at all (a message given as a string).
const messageSchema = strictObject(
  {
    role: z.enum(['system', 'user', 'assistant'], { error: 'expected a role: system, user or assistant' }),
    content: z.string({ error: 'expected the message text (a string)' }),
    thinkTime: thinkTime.optional(),
    answerTokens: answerTokens.optional(),
  },
  'expected an object',
);

const recordSchema = strictObject(
  {
    session: z.string({ error: 'expected a session id (a string)' }).min(1, 'expected a non-empty session id').optional(),
    tools: z.array(z.enum(RECORD_TOOLS, { error: `expected a tool name (allowed: ${RECORD_TOOLS.join(', ')})` }), { error: 'expected a list of tool names' }).optional(),
    thinkTime: thinkTime.optional(),
    messages: z.array(messageSchema, { error: 'expected a list of messages' }).min(1, 'expected at least one message'),
  },
  'expected an object',
);

const SHAREGPT_ROLES: Readonly<Record<string, Message['role']>> = {
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  chatgpt: 'assistant',
  assistant: 'assistant',
  bard: 'assistant',
  bing: 'assistant',
  system: 'system',
};

const shareGptSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).optional(),
  conversations: z
    .array(
      z.looseObject({
        from: z.string({ error: 'expected "from": human, gpt or system' }).refine((f) => Object.hasOwn(SHAREGPT_ROLES, f), { message: 'expected "from": human, gpt or system' }),
        value: z.string({ error: 'expected the message text (a string)' }),
      }),
      { error: 'expected a list of {from, value}' },
    )
    .min(1, 'expected at least one message'),
});

/** A bad record: the field (dotted path) and what is wrong. */
export class RecordError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.name = 'RecordError';
    this.field = field;
  }
}

function fieldOf(path: ReadonlyArray<PropertyKey>): string {
  return path.length === 0 ? '(record)' : path.map(String).join('.');
}

function firstIssue(error: z.ZodError): RecordError {
  const issue = error.issues[0] as z.core.$ZodIssue;
  return new RecordError(fieldOf(issue.path), issue.message);
}

interface RawMessage {
  role: Message['role'];
  content: string;
  thinkTime?: number;
  answerTokens?: number;
}

/** Turns messages into turns; `where(i)` names message i for errors. */
function toTurns(messages: readonly RawMessage[], defaultThinkMs: number, where: (i: number) => string, dropLeadingReplies: boolean): { system?: Message; turns: Turn[] } {
  const systemParts: string[] = [];
  const turns: Turn[] = [];
  let current: (Turn & { replies: string[] }) | undefined;
  const close = (): void => {
    if (current === undefined) return;
    const { replies, ...turn } = current;
    if (replies.length > 0) {
      turn.reference = { role: 'assistant', content: replies.join('\n') };
      turn.answerTokens ??= Math.max(1, estimateTokens(turn.reference.content.length));
    }
    turns.push(turn);
    current = undefined;
  };
  messages.forEach((m, i) => {
    if (m.role !== 'user' && m.thinkTime !== undefined) throw new RecordError(`${where(i)}.thinkTime`, 'only user messages have a think time (the pause before they are sent)');
    if (m.role !== 'user' && m.answerTokens !== undefined) throw new RecordError(`${where(i)}.answerTokens`, 'only user messages have an expected answer length');
    switch (m.role) {
      case 'system':
        if (turns.length > 0 || current !== undefined) throw new RecordError(`${where(i)}.role`, 'a system message must come before the first user message');
        systemParts.push(m.content);
        return;
      case 'assistant':
        if (current === undefined) {
          // Before the first user message (once a turn is open, it stays open until the next one).
          if (dropLeadingReplies) return;
          throw new RecordError(`${where(i)}.role`, 'an assistant message before the first user message answers nothing');
        }
        // Several replies in a row make one reference answer.
        current.replies.push(m.content);
        return;
      case 'user': {
        close();
        if (turns.length === 0 && m.thinkTime !== undefined) {
          throw new RecordError(`${where(i)}.thinkTime`, 'the first user message has no think time (a conversation starts when it is opened; think time is the pause between turns)');
        }
        const think = m.thinkTime ?? (turns.length > 0 ? defaultThinkMs : 0);
        current = { user: { role: 'user', content: m.content }, thinkTimeMs: think, replies: [] };
        if (m.answerTokens !== undefined) current.answerTokens = m.answerTokens;
        return;
      }
    }
  });
  close();
  if (turns.length === 0) throw new RecordError(dropLeadingReplies ? 'conversations' : 'messages', 'expected at least one user message (a turn)');
  return { ...(systemParts.length > 0 ? { system: { role: 'system', content: systemParts.join('\n') } } : {}), turns };
}

/**
 * Validates one parsed JSON line and turns it into a conversation. Throws RecordError naming
 * the field. `defaultSession` is used when the record names none.
 */
export function parseRecord(raw: unknown, defaultSession: string): Conversation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new RecordError('(record)', 'expected a JSON object: {"messages": [...]} or ShareGPT\'s {"conversations": [...]}');
  if ('conversations' in raw && !('messages' in raw)) {
    const parsed = shareGptSchema.safeParse(raw);
    if (!parsed.success) throw firstIssue(parsed.error);
    const messages: RawMessage[] = parsed.data.conversations.map((c) => ({ role: SHAREGPT_ROLES[c.from] as Message['role'], content: c.value }));
    const { system, turns } = toTurns(messages, 0, (i) => `conversations.${i}`, true);
    const id = parsed.data.id;
    return { session: id !== undefined && String(id) !== '' ? String(id) : defaultSession, ...(system ? { system } : {}), turns };
  }
  const parsed = recordSchema.safeParse(raw);
  if (!parsed.success) throw firstIssue(parsed.error);
  const r = parsed.data;
  const { system, turns } = toTurns(r.messages, r.thinkTime ?? 0, (i) => `messages.${i}`, false);
  return {
    session: r.session ?? defaultSession,
    ...(system ? { system } : {}),
    ...(r.tools !== undefined ? { tools: [...r.tools] } : {}),
    turns,
  };
}

/** A conversation as one line of our format (the sample dataset's generator writes these). */
export function formatRecord(c: Conversation): string {
  const messages: Array<Record<string, unknown>> = [];
  if (c.system) messages.push({ role: 'system', content: c.system.content });
  c.turns.forEach((t, i) => {
    const user: Record<string, unknown> = { role: 'user', content: t.user.content };
    if (i > 0 && t.thinkTimeMs > 0) user['thinkTime'] = t.thinkTimeMs >= 1000 ? `${(t.thinkTimeMs / 1000).toFixed(1)}s` : `${Math.round(t.thinkTimeMs)}ms`;
    if (t.answerTokens !== undefined && t.reference === undefined) user['answerTokens'] = t.answerTokens;
    messages.push(user);
    if (t.reference) messages.push({ role: 'assistant', content: t.reference.content });
  });
  return JSON.stringify({ session: c.session, ...(c.tools ? { tools: c.tools } : {}), messages });
}
