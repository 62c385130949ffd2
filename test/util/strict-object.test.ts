import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { strictObject } from '../../src/util/strict-object.js';

// The one strict object of scenario files, synthetic workloads and conversation records.
function messages(schema: z.ZodType, value: unknown): string[] {
  const r = schema.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => i.message);
}

describe('strictObject', () => {
  const shape = { rate: z.number(), duration: z.string().optional() };

  it('an unknown key names itself and the keys allowed there', () => {
    expect(messages(strictObject(shape), { rate: 1, durtion: '5s' })).toEqual(['unknown key "durtion" (allowed: rate, duration)']);
    expect(messages(strictObject(shape), { rate: 1, a: 1, b: 2 })).toEqual(['unknown keys "a", "b" (allowed: rate, duration)']);
  });

  it('a value that is not an object: the message given, else zod\'s own', () => {
    expect(messages(strictObject(shape, 'expected an object'), 'rate: 1')).toEqual(['expected an object']);
    expect(messages(strictObject(shape, 'expected an object'), null)).toEqual(['expected an object']);
    expect(messages(strictObject(shape), 'rate: 1')[0]).toMatch(/expected object, received string/);
  });

  it("a field's own errors stay its schema's", () => {
    expect(messages(strictObject({ rate: z.number({ error: 'expected a rate' }) }, 'expected an object'), { rate: 'x' })).toEqual(['expected a rate']);
  });

  it('accepts exactly the shape', () => {
    expect(strictObject(shape).parse({ rate: 2 })).toEqual({ rate: 2 });
  });
});
