// @ts-check
// my-agent.mjs: YOUR agent loop, benchmarked by cluster-bench (scenario.yaml names it).
//
// As written it is a small reason-act loop with one tool of its own (an FAQ lookup): it asks
// the run's LLM, runs the tools the model asks for, loops until the model answers, and stores
// the conversation in the run's memory. Replace the tool and the loop with your own agent's
// (keep calling ctx.llm and ctx.memory, or your own clients) and run the scenario again.
//
// The default export is a factory: cluster-bench calls it for every agent instance it needs
// and passes a context: ctx.llm and ctx.memory (the run's providers: the reference ones, an
// HTTP endpoint, or other plugins), ctx.config (the scenario's providers.agent section),
// ctx.options, ctx.seed and ctx.clock. The types below come from the cluster-bench package as
// JSDoc, so your editor checks this file (`// @ts-check`) without a build step, and nothing is
// imported when it runs. The contract: docs/plugins.md.

/** @typedef {import('cluster-bench').Message} Message */
/** @typedef {import('cluster-bench').AgentStep} AgentStep */
/** @typedef {import('cluster-bench').AgentState} AgentState */
/** @typedef {import('cluster-bench').ToolSpec} ToolSpec */

/** @type {Record<string, string>} */
const FAQ = {
  expire: 'Sessions idle longer than the TTL are expired by the sweep.',
  window: 'Each session keeps its newest messages in a sliding window.',
  default: 'No entry found.',
};

/** @typedef {{ spec: ToolSpec, run(args: Record<string, unknown>): string }} Tool */

/**
 * The tools this agent offers the model, with what runs when the model asks for one.
 * @type {Record<string, Tool | undefined>}
 */
const TOOLS = {
  lookup: {
    spec: {
      name: 'lookup',
      description: 'Look a topic up in the FAQ',
      parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
    },
    run(args) {
      const query = String(args['query'] ?? '').toLowerCase();
      const key = Object.keys(FAQ).find((k) => query.includes(k)) ?? 'default';
      return FAQ[key] ?? '';
    },
  },
};

/** @type {import('cluster-bench').AgentProviderFactory} */
export default function createAgent({ llm, memory, config, clock }) {
  // The run's monotonic clock (ms, sub-microsecond resolution): step durations in ns from it.
  const since = (/** @type {number} */ mark) => Math.round((clock.now() - mark) * 1e6);
  const specs = Object.values(TOOLS).flatMap((t) => (t === undefined ? [] : [t.spec]));

  return {
    // How tables and reports name this provider.
    name: 'my-agent',

    async initialize() {},

    async execute(messages, execConfig) {
      const maxIterations = execConfig?.maxIterations ?? config.maxIterations;
      const sessionId = execConfig?.sessionId ?? 'default';
      /** @type {Message[]} */
      const conversation = [...messages];
      /** @type {AgentStep[]} */
      const steps = [];
      /** @type {AgentState} */
      const state = {
        status: 'max-iterations',
        iterations: 0,
        toolCalls: 0,
        tokens: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
        steps,
        durationNs: 0,
      };
      const started = clock.now();
      let output = '';

      while (state.iterations < maxIterations) {
        state.iterations++;
        let mark = clock.now();
        const response = await llm.call(conversation, { ...execConfig?.llm, tools: specs });
        steps.push({ kind: 'llm', name: response.model, durationNs: since(mark), ok: true });
        state.tokens.promptTokens += response.usage.promptTokens;
        state.tokens.completionTokens += response.usage.completionTokens;
        state.tokens.totalTokens += response.usage.totalTokens;
        conversation.push({ role: 'assistant', content: response.content, toolCalls: response.toolCalls });
        if (response.toolCalls.length === 0) {
          output = response.content;
          state.status = 'completed';
          break;
        }
        for (const call of response.toolCalls) {
          mark = clock.now();
          const tool = TOOLS[call.name];
          let content;
          let ok = true;
          try {
            if (tool === undefined) throw new Error(`unknown tool ${call.name}`);
            content = tool.run(JSON.parse(call.arguments));
          } catch (error) {
            ok = false;
            content = `error: ${error instanceof Error ? error.message : String(error)}`;
          }
          state.toolCalls++;
          conversation.push({ role: 'tool', content, toolCallId: call.id, name: call.name });
          steps.push({ kind: 'tool', name: call.name, durationNs: since(mark), ok });
        }
      }

      const mark = clock.now();
      await memory.store(sessionId, conversation);
      steps.push({ kind: 'memory', name: 'store', durationNs: since(mark), ok: true });
      state.durationNs = since(started);
      return { output, state };
    },

    async close() {},
  };
}
