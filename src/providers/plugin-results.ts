/**
 * What a plugin provider answers is checked before the runner reads it. A plugin that returns
 * an LLM answer without `usage`, or an agent result without `state.steps`, would otherwise
 * make the runner's figure-gathering throw after the operation was counted as a success (and
 * such a failure is deliberately not allowed to lose the operation): the run would look clean
 * while its token and step figures silently went missing. Checked here, the operation fails
 * with PLUGIN_BAD_RESULT and one line naming the module, the method and the field, and the
 * error shows in the phase's error counts. Only what the runner reads is checked, by hand:
 * it runs inside every timed operation of a plugin, so it must cost nanoseconds.
 */
import { ProviderError } from './provider-error.js';

type Check = (value: unknown) => string | undefined;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function usageProblem(u: unknown, at: string): string | undefined {
  if (!isObject(u)) return `${at} is ${describe(u)}, expected { promptTokens, completionTokens, totalTokens }`;
  for (const k of ['promptTokens', 'completionTokens', 'totalTokens']) {
    if (typeof u[k] !== 'number') return `${at}.${k} is ${describe(u[k])}, expected a number`;
  }
  return undefined;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v === 'undefined' ? 'missing' : `a ${typeof v}`;
}

/** LLMProvider.call(): what the llm.call operation and the agent read of an answer. */
export const llmAnswerProblem: Check = (r) => {
  if (!isObject(r)) return `returned ${describe(r)}, expected an LLMResponse object`;
  if (typeof r['content'] !== 'string') return `content is ${describe(r['content'])}, expected a string`;
  if (!Array.isArray(r['toolCalls'])) return `toolCalls is ${describe(r['toolCalls'])}, expected an array`;
  return usageProblem(r['usage'], 'usage');
};

/** AgentProvider.execute(): what the agent.execute operation reads of a result. */
export const agentResultProblem: Check = (r) => {
  if (!isObject(r)) return `returned ${describe(r)}, expected an AgentResult object`;
  const s = r['state'];
  if (!isObject(s)) return `state is ${describe(s)}, expected { iterations, toolCalls, tokens, steps, ... }`;
  for (const k of ['iterations', 'toolCalls']) {
    if (typeof s[k] !== 'number') return `state.${k} is ${describe(s[k])}, expected a number`;
  }
  const steps = s['steps'];
  if (!Array.isArray(steps)) return `state.steps is ${describe(steps)}, expected an array`;
  for (let i = 0; i < steps.length; i++) {
    const step: unknown = steps[i];
    if (!isObject(step) || typeof step['kind'] !== 'string' || typeof step['durationNs'] !== 'number') {
      return `state.steps[${i}] lacks kind (a string) or durationNs (a number)`;
    }
  }
  return usageProblem(s['tokens'], 'state.tokens');
};

/** MemoryProvider.retrieve(): a list of messages. */
export const retrievedProblem: Check = (r) => (Array.isArray(r) ? undefined : `returned ${describe(r)}, expected an array of messages`);

/**
 * Replaces `method` on the provider object with one that checks what it resolves to. The
 * instance gets its own property (the plugin's method stays on it or its prototype, called
 * with the provider as `this`), so private fields and getters keep working.
 */
function guard(provider: object, method: string, where: string, check: Check): void {
  const target = provider as Record<string, unknown>;
  const original = target[method] as (...args: unknown[]) => unknown;
  target[method] = async function checkedMethod(...args: unknown[]): Promise<unknown> {
    const value = await original.apply(provider, args);
    const problem = check(value);
    if (problem !== undefined) throw new ProviderError('PLUGIN_BAD_RESULT', `${where}: ${method}() ${problem.startsWith('returned') ? '' : 'returned a value whose '}${problem}`);
    return value;
  };
}

/** Makes the plugin's provider check its answers (see above). `where` names the module. */
export function checkPluginResults(kind: 'llm' | 'memory' | 'agent', provider: object, where: string): void {
  if (kind === 'llm') guard(provider, 'call', where, llmAnswerProblem);
  else if (kind === 'agent') guard(provider, 'execute', where, agentResultProblem);
  else guard(provider, 'retrieve', where, retrievedProblem);
}
