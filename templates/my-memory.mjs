// @ts-check
// my-memory.mjs: YOUR memory provider, benchmarked by cluster-bench (scenario.yaml names it).
//
// As written it is a small in-process store (a Map of sessions, each a sliding window) so the
// scenario runs straight away. Replace the bodies with calls to your own store (Redis, a
// database, your service's client), keep the signatures, and run the scenario again.
//
// The default export is a factory: cluster-bench calls it for every provider instance it needs
// and passes a context: ctx.config (the scenario's providers.memory section, defaults filled
// in), ctx.options (its `options`), ctx.seed and ctx.clock. The types below come from the
// cluster-bench package as JSDoc, so your editor checks this file (`// @ts-check`) without a
// build step, and nothing is imported when it runs. The contract: docs/plugins.md.

/** @typedef {import('cluster-bench').Message} Message */

/** @type {import('cluster-bench').MemoryProviderFactory} */
export default function createMemory({ config, options }) {
  // Settings from the scenario: providers.memory.windowSize, and anything under `options`.
  const window = config.windowSize;
  const label = typeof options['label'] === 'string' ? options['label'] : 'my-memory';
  /** @type {Map<string, Message[]>} */
  let sessions = new Map();
  let messages = 0;

  /** @type {import('cluster-bench').MemoryProvider['store']} */
  async function store(sessionId, newMessages) {
    let kept = sessions.get(sessionId);
    if (kept === undefined) sessions.set(sessionId, (kept = []));
    kept.push(...newMessages);
    if (kept.length > window) kept.splice(0, kept.length - window);
    messages += newMessages.length;
  }

  return {
    // How tables and reports name this provider.
    name: label,

    async initialize() {
      // Connect to your store here; construction + initialize() is what an init phase times.
      sessions = new Map();
    },

    store,

    async storeBatch(entries) {
      // A real store would send these in one round trip (a pipeline, a multi-row insert).
      for (const { sessionId, messages: batch } of entries) await store(sessionId, batch);
    },

    async retrieve(sessionId, limit) {
      // The newest `limit` messages, oldest first; [] for an unknown session.
      return (sessions.get(sessionId) ?? []).slice(-limit);
    },

    async sweep() {
      // Expire idle sessions here and return how many went; this store keeps them all.
      return 0;
    },

    stats() {
      return { sessions: sessions.size, messages, expired: 0, evicted: 0 };
    },

    async close() {
      // Disconnect here. Throw errors with a short `code` property: failures are counted by it.
      sessions.clear();
    },
  };
}
