import { describe, expect, it } from 'vitest';
import { formatRecord, parseRecord, RecordError } from '../../src/workload/record.js';

function fails(raw: unknown): { field: string; message: string } {
  try {
    parseRecord(raw, 'default');
  } catch (e) {
    if (e instanceof RecordError) return { field: e.field, message: e.message };
    throw e;
  }
  throw new Error('expected a RecordError');
}

describe('parseRecord: our format', () => {
  it('turns messages into turns: system prompt, expected answer lengths, think times, reference answers', () => {
    const c = parseRecord(
      {
        session: 'user-42',
        tools: ['search'],
        thinkTime: '2s',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi', answerTokens: 30 },
          { role: 'user', content: 'How do caches expire?' },
          { role: 'assistant', content: 'x'.repeat(400) },
          { role: 'user', content: 'Thanks', thinkTime: 500 },
        ],
      },
      'default',
    );
    expect(c.session).toBe('user-42');
    expect(c.tools).toEqual(['search']);
    expect(c.system).toEqual({ role: 'system', content: 'Be brief.' });
    expect(c.turns).toHaveLength(3);
    expect(c.turns[0]).toEqual({ user: { role: 'user', content: 'Hi' }, answerTokens: 30, thinkTimeMs: 0 });
    // The record's default think time; the reference answer's length (400 chars = 100 tokens) is the expected one.
    expect(c.turns[1]).toMatchObject({ thinkTimeMs: 2000, answerTokens: 100, reference: { role: 'assistant' } });
    expect(c.turns[2]).toMatchObject({ thinkTimeMs: 500 });
    expect(c.turns[2]?.answerTokens).toBeUndefined();
  });

  it('a record without a session id gets the default one', () => {
    expect(parseRecord({ messages: [{ role: 'user', content: 'a' }] }, 'conv-7').session).toBe('conv-7');
  });

  it('round-trips through formatRecord', () => {
    const raw = { session: 's', tools: ['calculator'], messages: [{ role: 'user', content: 'a', answerTokens: 5 }, { role: 'user', content: 'b', thinkTime: '1.5s' }, { role: 'assistant', content: 'c' }] };
    const c = parseRecord(raw, 'x');
    expect(parseRecord(JSON.parse(formatRecord(c)), 'x')).toEqual(c);
  });

  it.each([
    [{ messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b', thinkTime: -2 }] }, 'messages.1.thinkTime', 'negative'],
    [{ messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b', thinkTime: '-2s' }] }, 'messages.1.thinkTime', 'negative'],
    [{ messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b', thinkTime: 'soon' }] }, 'messages.1.thinkTime', 'not a duration'],
    [{ thinkTime: -1, messages: [{ role: 'user', content: 'a' }] }, 'thinkTime', 'negative'],
    [{ messages: [{ role: 'user', content: 'a', thinkTime: '1s' }] }, 'messages.0.thinkTime', 'first user message'],
    [{ messages: [{ role: 'bot', content: 'a' }] }, 'messages.0.role', 'system, user or assistant'],
    [{ messages: [{ role: 'user' }] }, 'messages.0.content', 'string'],
    [{ messages: [{ role: 'user', content: 'a', answerTokens: 0 }] }, 'messages.0.answerTokens', 'tokens > 0'],
    [{ messages: [{ role: 'user', content: 'a', thinktime: '1s' }] }, 'messages.0', 'unknown key "thinktime"'],
    [{ messages: [], session: 's' }, 'messages', 'at least one message'],
    [{ messages: [{ role: 'assistant', content: 'hello' }, { role: 'user', content: 'a' }] }, 'messages.0.role', 'answers nothing'],
    [{ messages: [{ role: 'system', content: 's' }] }, 'messages', 'at least one user message'],
    [{ messages: [{ role: 'user', content: 'a' }, { role: 'system', content: 's' }] }, 'messages.1.role', 'before the first user message'],
    [{ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b', thinkTime: '1s' }] }, 'messages.1.thinkTime', 'only user messages'],
    [{ tools: ['shell'], messages: [{ role: 'user', content: 'a' }] }, 'tools.0', 'calculator, search'],
    [{ session: 3, messages: [{ role: 'user', content: 'a' }] }, 'session', 'session id'],
    [{ prompt: 'a' }, 'messages', 'list of messages'],
    [[1, 2], '(record)', 'JSON object'],
  ])('%j is refused at %s', (raw, field, message) => {
    const e = fails(raw);
    expect(e.field).toBe(field);
    expect(e.message).toContain(message);
  });
});

describe('parseRecord: ShareGPT', () => {
  it('reads {id, conversations: [{from, value}]}, drops leading replies and ignores other keys', () => {
    const c = parseRecord(
      {
        id: 'QWJhYvA_0',
        model: 'gpt-4',
        conversations: [
          { from: 'gpt', value: 'Hello! How can I help?' },
          { from: 'human', value: 'Explain caches.' },
          { from: 'gpt', value: 'y'.repeat(80) },
          { from: 'human', value: 'More?' },
        ],
      },
      'default',
    );
    expect(c.session).toBe('QWJhYvA_0');
    expect(c.turns.map((t) => t.user.content)).toEqual(['Explain caches.', 'More?']);
    expect(c.turns[0]?.answerTokens).toBe(20);
  });

  it('names the field of a bad ShareGPT message', () => {
    expect(fails({ conversations: [{ from: 'robot', value: 'x' }] })).toMatchObject({ field: 'conversations.0.from' });
    expect(fails({ conversations: [{ from: 'human' }] })).toMatchObject({ field: 'conversations.0.value' });
  });
});
