/**
 * The reference agent: a reason-act loop. The model is offered the tools; when it asks for
 * some, the agent runs them and hands the results back; when it answers, the loop ends.
 * The conversation turn is stored in the memory provider at the end, and every step is
 * timed so a run can show where an execution's time went.
 */
import type { AgentProviderConfig } from '../config.js';
import type {
  AgentConfig,
  AgentProvider,
  AgentResult,
  AgentState,
  AgentStep,
  Clock,
  LLMConfig,
  LLMProvider,
  MemoryProvider,
  Message,
  TokenUsage,
  ToolCall,
  ToolSpec,
} from '../types.js';
import type { Tool } from './tools.js';
import { BUILTIN_TOOLS } from './tools.js';
import { ProviderError } from '../provider-error.js';

export interface ReActAgentProviderDeps {
  llm: LLMProvider;
  memory: MemoryProvider;
  /**
   * Step timing source. Default: process.hrtime (ns). A clock in ms makes step durations
   * deterministic in tests.
   */
  clock?: Clock;
  /** The tools the agent can run, by name. Default: the built-in tools. */
  tools?: Readonly<Record<string, Tool>>;
  /**
   * True when the llm and memory were built for this agent alone (see registry
   * `createProvider('agent')`): then initialize() and close() include them. Shared ones
   * belong to whoever built them and are left alone.
   */
  ownsDependencies?: boolean;
}

const DEFAULT_SESSION_ID = 'agent';

/** The tools offered for one tool-name list, resolved once and reused while the list is the same. */
interface Toolbox {
  names: readonly string[];
  tools: Tool[];
  specs: ToolSpec[];
  /** The LLM config sent when the caller gives none; prebuilt so a plain execute() allocates nothing for it. */
  llmConfig: LLMConfig;
}

export function validateAgentConfig(config: AgentProviderConfig, available: Readonly<Record<string, Tool>>): string[] {
  const problems: string[] = [];
  if (!(typeof config.maxIterations === 'number' && Number.isInteger(config.maxIterations) && config.maxIterations >= 1)) {
    problems.push(`maxIterations: must be an integer >= 1, got ${String(config.maxIterations)}`);
  }
  if (!Array.isArray(config.tools)) {
    problems.push('tools: must be a list of tool names');
  } else {
    for (const name of config.tools) {
      if (!Object.hasOwn(available, name)) {
        problems.push(`tools: unknown tool ${JSON.stringify(name)} (available: ${Object.keys(available).join(', ')})`);
      }
    }
  }
  if (typeof config.storeConversation !== 'boolean') problems.push('storeConversation: must be true or false');
  return problems;
}

export class ReActAgentProvider implements AgentProvider {
  readonly name = 'react-agent';
  private readonly config: AgentProviderConfig;
  private readonly llm: LLMProvider;
  private readonly memory: MemoryProvider;
  private readonly available: Readonly<Record<string, Tool>>;
  private readonly ownsDependencies: boolean;
  private readonly nowNs: () => bigint;
  private state: 'created' | 'ready' | 'closed' = 'created';
  /** The configured tools, resolved at initialize(). */
  private defaultToolbox: Toolbox | undefined;
  /** The last tool list a caller passed in AgentConfig.tools (compared by identity). */
  private callerToolbox: Toolbox | undefined;

  constructor(config: AgentProviderConfig, deps: ReActAgentProviderDeps) {
    this.config = config;
    this.llm = deps.llm;
    this.memory = deps.memory;
    this.available = deps.tools ?? BUILTIN_TOOLS;
    this.ownsDependencies = deps.ownsDependencies ?? false;
    const clock = deps.clock;
    this.nowNs = clock === undefined ? process.hrtime.bigint : () => BigInt(Math.round(clock.now() * 1e6));
  }

  async initialize(): Promise<void> {
    if (this.state === 'closed') throw new ProviderError('PROVIDER_NOT_READY', 'agent: initialize() after close()');
    if (this.state === 'ready') return;
    const problems = validateAgentConfig(this.config, this.available);
    if (problems.length > 0) {
      throw new ProviderError('PROVIDER_CONFIG_INVALID', `agent: invalid config: ${problems.join('; ')}`);
    }
    if (this.ownsDependencies) {
      await this.llm.initialize();
      await this.memory.initialize();
    }
    this.defaultToolbox = this.buildToolbox(this.config.tools);
    this.state = 'ready';
  }

  private buildToolbox(names: readonly string[]): Toolbox {
    const tools: Tool[] = [];
    for (const name of names) {
      const tool = this.available[name];
      if (tool === undefined || !Object.hasOwn(this.available, name)) {
        throw new ProviderError(
          'AGENT_UNKNOWN_TOOL',
          `agent: unknown tool ${JSON.stringify(name)} (available: ${Object.keys(this.available).join(', ')})`,
        );
      }
      tools.push(tool);
    }
    const specs = tools.map((t) => t.spec);
    return { names, tools, specs, llmConfig: { tools: specs } };
  }

  private toolboxFor(names: readonly string[] | undefined, base: Toolbox): Toolbox {
    if (names === undefined || names === base.names) return base;
    const cached = this.callerToolbox;
    if (cached !== undefined && cached.names === names) return cached;
    // Remembered because a scenario passes the same array on every execution.
    return (this.callerToolbox = this.buildToolbox(names));
  }

  async execute(messages: readonly Message[], config?: AgentConfig): Promise<AgentResult> {
    const defaults = this.defaultToolbox;
    if (this.state !== 'ready' || defaults === undefined) {
      throw new ProviderError(
        'PROVIDER_NOT_READY',
        this.state === 'closed' ? 'agent: execute() after close()' : 'agent: execute() before initialize()',
      );
    }
    const nowNs = this.nowNs;
    const started = nowNs();
    // Steps are timed back to back (each starts where the previous ended): half the clock
    // reads, and the step durations add up to the execution's duration.
    let mark = started;
    const toolbox = this.toolboxFor(config?.tools, defaults);
    // The agent decides what is offered (it can only run its own tools), so llm.tools is replaced.
    const llmConfig: LLMConfig = config?.llm === undefined ? toolbox.llmConfig : { ...config.llm, tools: toolbox.specs };
    const maxIterations = config?.maxIterations ?? this.config.maxIterations;

    const conversation: Message[] = messages.slice();
    const steps: AgentStep[] = [];
    const tokens: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
    const state: AgentState = { status: 'max-iterations', iterations: 0, toolCalls: 0, tokens, steps, durationNs: 0 };
    let output = '';

    while (state.iterations < maxIterations) {
      state.iterations++;
      // A failing call is rethrown untouched: the runner counts errors by their code.
      const response = await this.llm.call(conversation, llmConfig);
      let end = nowNs();
      steps.push({ kind: 'llm', name: response.model, durationNs: Number(end - mark), ok: true });
      mark = end;
      tokens.promptTokens += response.usage.promptTokens;
      tokens.completionTokens += response.usage.completionTokens;
      tokens.totalTokens += response.usage.totalTokens;
      // One estimated count makes the execution's total an estimate too.
      if (response.usage.estimated === true) tokens.estimated = true;
      output = response.content;
      const calls = response.toolCalls;
      if (calls.length === 0) {
        conversation.push({ role: 'assistant', content: response.content });
        state.status = 'completed';
        break;
      }
      conversation.push({ role: 'assistant', content: response.content, toolCalls: calls });
      for (let i = 0; i < calls.length; i++) {
        const call = calls[i] as ToolCall;
        state.toolCalls++;
        const result = this.runTool(toolbox, call);
        conversation.push({ role: 'tool', content: result.text, toolCallId: call.id, name: call.name });
        end = nowNs();
        steps.push({ kind: 'tool', name: call.name, durationNs: Number(end - mark), ok: result.ok });
        mark = end;
      }
    }

    if (this.config.storeConversation) {
      // One store per execution: the turn goes in as a batch, as the seed recommends.
      await this.memory.store(config?.sessionId ?? DEFAULT_SESSION_ID, conversation.slice(turnStart(messages)));
      const end = nowNs();
      steps.push({ kind: 'memory', name: 'store', durationNs: Number(end - mark), ok: true });
      mark = end;
    }
    state.durationNs = Number(mark - started);
    return { output, state };
  }

  /** Tool failures go back to the model as text, as real agents do; they do not end the run. */
  private runTool(toolbox: Toolbox, call: ToolCall): { text: string; ok: boolean } {
    let tool: Tool | undefined;
    for (const t of toolbox.tools) {
      if (t.spec.name === call.name) {
        tool = t;
        break;
      }
    }
    if (tool === undefined) return { text: `error: unknown tool "${call.name}"`, ok: false };
    let args: unknown;
    try {
      args = call.arguments === '' ? {} : JSON.parse(call.arguments);
    } catch {
      return { text: `error: arguments of ${call.name} are not valid JSON`, ok: false };
    }
    if (typeof args !== 'object' || args === null || Array.isArray(args)) {
      return { text: `error: arguments of ${call.name} must be a JSON object`, ok: false };
    }
    try {
      return { text: tool.run(args as Record<string, unknown>), ok: true };
    } catch (error) {
      return { text: `error: ${error instanceof Error ? error.message : String(error)}`, ok: false };
    }
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.ownsDependencies) {
      await this.llm.close();
      await this.memory.close();
    }
  }
}

/**
 * Where this execution's turn starts in the input: the last user message. What comes
 * before it is history the caller passed in (often retrieved from memory already), and
 * storing it again would duplicate it in the session window.
 */
function turnStart(messages: readonly Message[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.role === 'user') return i;
  return 0;
}
