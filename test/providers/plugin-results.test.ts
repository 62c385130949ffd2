/**
 * A plugin's answers are checked before the runner reads them: a malformed one fails its
 * operation with PLUGIN_BAD_RESULT and a line naming the module, method and field.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentResultProblem, checkPluginResults, llmAnswerProblem, retrievedProblem } from '../../src/providers/plugin-results.js';
import { ProviderError } from '../../src/providers/provider-error.js';
import type { RunResult } from '../../src/results/types.js';
import { runInProcess } from '../helpers/in-process.js';
import { tempDir } from '../e2e/helpers.js';

const usage = { promptTokens: 3, completionTokens: 2, totalTokens: 5 };
const answer = { id: 'a', model: 'm', content: 'hi', toolCalls: [], finishReason: 'stop', usage };
const state = { status: 'completed', iterations: 1, toolCalls: 0, tokens: usage, steps: [{ kind: 'llm', name: 'm', durationNs: 5, ok: true }], durationNs: 5 };

describe('the checks read what the runner reads', () => {
  it('LLM answers', () => {
    expect(llmAnswerProblem(answer)).toBeUndefined();
    expect(llmAnswerProblem(undefined)).toBe('returned missing, expected an LLMResponse object');
    expect(llmAnswerProblem({ ...answer, content: null })).toBe('content is null, expected a string');
    expect(llmAnswerProblem({ ...answer, toolCalls: {} })).toBe('toolCalls is an object, expected an array');
    expect(llmAnswerProblem({ ...answer, usage: undefined })).toBe('usage is missing, expected { promptTokens, completionTokens, totalTokens }');
    expect(llmAnswerProblem({ ...answer, usage: { ...usage, totalTokens: '5' } })).toBe('usage.totalTokens is a string, expected a number');
  });

  it('agent results', () => {
    expect(agentResultProblem({ output: 'x', state })).toBeUndefined();
    expect(agentResultProblem({ output: 'x' })).toBe('state is missing, expected { iterations, toolCalls, tokens, steps, ... }');
    expect(agentResultProblem({ output: 'x', state: { ...state, iterations: undefined } })).toBe('state.iterations is missing, expected a number');
    expect(agentResultProblem({ output: 'x', state: { ...state, steps: 'many' } })).toBe('state.steps is a string, expected an array');
    expect(agentResultProblem({ output: 'x', state: { ...state, steps: [{ kind: 'llm' }] } })).toBe('state.steps[0] lacks kind (a string) or durationNs (a number)');
    expect(agentResultProblem({ output: 'x', state: { ...state, tokens: [] } })).toBe('state.tokens is an array, expected { promptTokens, completionTokens, totalTokens }');
  });

  it('retrieved messages', () => {
    expect(retrievedProblem([])).toBeUndefined();
    expect(retrievedProblem({ messages: [] })).toBe('returned an object, expected an array of messages');
  });
});

describe('checkPluginResults', () => {
  it('fails the call with PLUGIN_BAD_RESULT naming the module, and keeps good answers and `this` intact', async () => {
    class Llm {
      #calls = 0;
      name = 'x';
      async call(): Promise<unknown> {
        this.#calls++;
        return this.#calls === 2 ? { ...answer, usage: null } : answer;
      }
    }
    const llm = new Llm();
    checkPluginResults('llm', llm, 'providers.llm.module /p/llm.mjs');
    await expect(llm.call()).resolves.toEqual(answer);
    const e = await llm.call().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as ProviderError).code).toBe('PLUGIN_BAD_RESULT');
    expect((e as ProviderError).message).toBe('providers.llm.module /p/llm.mjs: call() returned a value whose usage is null, expected { promptTokens, completionTokens, totalTokens }');
  });
});

describe('a run with a plugin agent that returns a malformed result', () => {
  it('counts those operations as PLUGIN_BAD_RESULT errors', async () => {
    const cwd = tempDir();
    writeFileSync(
      path.join(cwd, 's.yaml'),
      `name: malformed
description: every third execution has no state
phases:
  - name: runs
    op: agent.execute
    executor: { type: iterations, iterations: 30 }
providers:
  agent: { module: ${JSON.stringify(path.resolve('test/fixtures/plugins/agent-malformed.mjs'))} }
`,
    );
    const r = await runInProcess(['run', 's.yaml', '--out', 'r.json', '--no-save', '--no-gate'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const phase = (JSON.parse(readFileSync(path.join(cwd, 'r.json'), 'utf8')) as RunResult).scenarios[0]!.phases[0]!;
    expect(phase.count).toBe(30);
    expect(phase.errors).toBe(10);
    expect(phase.errorsByKind).toEqual({ PLUGIN_BAD_RESULT: 10 });
    expect(phase.steps?.['llm']?.count).toBe(20);
  });
});
