// @ts-check
// my-llm.mjs: YOUR LLM client, benchmarked by cluster-bench (scenario.yaml names it).
//
// As written it is a tiny rule-based "model" so the scenario runs straight away: it asks for
// the first tool it is offered, then answers once the tool has replied. Replace call() with a
// call to your own client (your SDK, your gateway, a local model), map its answer to the shape
// below, and run the scenario again. Set `simulated: false` once a real model is behind it.
//
// The default export is a factory: cluster-bench calls it for every provider instance it needs
// and passes a context: ctx.config (the scenario's providers.llm section, defaults filled in),
// ctx.options (its `options`), ctx.seed and ctx.clock. The types below come from the
// cluster-bench package as JSDoc, so your editor checks this file (`// @ts-check`) without a
// build step, and nothing is imported when it runs. The contract: docs/plugins.md.

/** @typedef {import('cluster-bench').LLMResponse} LLMResponse */

/** Rough token count: what an English BPE tokenizer gives on average. */
const tokens = (/** @type {string} */ text) => Math.ceil(text.length / 4);

/** @type {import('cluster-bench').LLMProviderFactory} */
export default function createLLM({ config, options }) {
  const reply = typeof options['reply'] === 'string' ? options['reply'] : 'Hello from my-llm!';
  let ready = false;
  let calls = 0;

  return {
    // How tables and reports name this provider.
    name: 'my-llm',
    // No real model behind it (yet): every output says so. Set to false for a real client.
    simulated: true,

    async initialize() {
      // Create your client here (read keys from process.env, never from the scenario file).
      ready = true;
    },

    async call(messages, callConfig, callOptions) {
      // callOptions.signal is aborted when the phase timeout gives up on this call: pass it on.
      if (!ready) throw Object.assign(new Error('my-llm: call() before initialize()'), { code: 'NOT_READY' });
      callOptions?.signal?.throwIfAborted();
      calls++;
      const last = messages[messages.length - 1];
      const prompt = messages.reduce((n, m) => n + tokens(m.content), 0);
      const tool = callConfig?.tools?.[0];
      /** @type {LLMResponse} */
      let response;
      if (tool !== undefined && last?.role === 'user') {
        // Like a model with tools: ask for one first.
        const args = JSON.stringify(tool.name === 'calculator' ? { expression: '6 * 7' } : { query: last.content });
        response = {
          id: `my-llm-${calls}`,
          model: callConfig?.model ?? config.model,
          content: '',
          toolCalls: [{ id: `call_${calls}`, name: tool.name, arguments: args }],
          finishReason: 'tool_calls',
          usage: { promptTokens: prompt, completionTokens: tokens(args), totalTokens: prompt + tokens(args) },
        };
      } else {
        const content = last?.role === 'tool' ? `${reply} The tool said: ${last.content}` : reply;
        response = {
          id: `my-llm-${calls}`,
          model: callConfig?.model ?? config.model,
          content,
          toolCalls: [],
          finishReason: 'stop',
          usage: { promptTokens: prompt, completionTokens: tokens(content), totalTokens: prompt + tokens(content) },
        };
      }
      return response;
    },

    // Running totals; each llm.call phase reports how much they grew (here: extra.myLlmCalls).
    counters: () => ({ myLlmCalls: calls }),

    async close() {
      // Close your client here. Throw errors with a short `code` property: failures are counted by it.
      ready = false;
    },
  };
}
