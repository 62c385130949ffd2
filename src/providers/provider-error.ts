/**
 * The one error type the reference providers throw. The runner counts failures by `code`,
 * so every failure a scenario can provoke on purpose (faults, timeouts, closed transports)
 * carries a stable code instead of being told apart by its message text.
 */

export type ProviderErrorCode =
  /** The (simulated) endpoint answered with a server error. */
  | 'LLM_SERVER_ERROR'
  /** The (simulated) endpoint refused the request: every slot busy and its queue full (like a 429/503). */
  | 'LLM_OVERLOADED'
  /** The endpoint rejected the request as malformed (a bug in the caller, not load). */
  | 'LLM_BAD_REQUEST'
  /** The endpoint's answer could not be understood. */
  | 'LLM_BAD_RESPONSE'
  /** The transport was closed while the request was in flight, or before it was sent. */
  | 'TRANSPORT_CLOSED'
  /** The caller aborted the request (the runner gave up on the operation). */
  | 'ABORTED'
  /** A provider was used before `initialize()` or after `close()`. */
  | 'PROVIDER_NOT_READY'
  /** `initialize()` found the configuration invalid. */
  | 'PROVIDER_CONFIG_INVALID'
  /** The agent was asked to offer a tool it does not have. */
  | 'AGENT_UNKNOWN_TOOL'
  /** HTTP transport: the endpoint answered 429 Too Many Requests (after any retries). */
  | 'HTTP_429'
  /** HTTP transport: 401 Unauthorized (missing or wrong API key). */
  | 'HTTP_401'
  /** HTTP transport: any other 4xx answer. */
  | 'HTTP_4XX'
  /** HTTP transport: a 5xx answer (after any retries). */
  | 'HTTP_5XX'
  /** HTTP transport: no response headers, or a gap in the body, longer than providers.llm.timeout. */
  | 'HTTP_TIMEOUT'
  /** HTTP transport: the connection was reset or closed by the other side mid-request. */
  | 'ECONNRESET'
  /** HTTP transport: nothing listens at baseUrl. */
  | 'ECONNREFUSED'
  /** HTTP transport: any other network failure (DNS, TLS, ...). */
  | 'HTTP_NETWORK'
  /** A plugin provider answered with a value of the wrong shape (plugin-results.ts). */
  | 'PLUGIN_BAD_RESULT';

export class ProviderError extends Error {
  readonly code: ProviderErrorCode;
  constructor(code: ProviderErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderError';
    this.code = code;
  }
}

/** True for errors that carry a provider error code (also from plugins that mimic the shape). */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * A provider could not be built: a plugin's factory threw. The input was well-formed, so
 * this is not bad input; the run failed before it began (the CLI exits 3 with this one line).
 */
export class ProviderSetupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderSetupError';
  }
}
