import { describe, expect, it } from 'vitest';
import { userErrorExitCode } from '../../src/errors.js';
import { InputError } from '../../src/util/input-error.js';
import { DatasetError } from '../../src/workload/dataset.js';
import { TraceError } from '../../src/workload/trace.js';

describe('InputError', () => {
  it('is named after its class, subclasses too, with no constructor of their own', () => {
    expect(new InputError('x').name).toBe('InputError');
    expect(new DatasetError('x').name).toBe('DatasetError');
    expect(new TraceError('x').name).toBe('TraceError');
    expect(String(new TraceError('trace.jsonl:3: timestamp: expected a number'))).toBe('TraceError: trace.jsonl:3: timestamp: expected a number');
  });

  it('subclasses keep their code and are bad input (exit 2)', () => {
    const d = new DatasetError('conv.jsonl:1: (line): not valid JSON');
    expect(d).toBeInstanceOf(InputError);
    expect(d.code).toBe('DATASET_INVALID');
    expect(new TraceError('t').code).toBe('TRACE_INVALID');
    expect(userErrorExitCode(d)).toBe(2);
    expect(new InputError('m', { cause: d }).cause).toBe(d);
  });
});
