/**
 * Checks of an LLM endpoint's base URL, apart from the HTTP client so that the scenario
 * loader can use them without loading undici.
 */

export interface ParsedBaseUrl {
  origin: string;
  /** Path of the chat-completions endpoint, with the base URL's query if it had one. */
  path: string;
  /** The endpoint URL for messages. */
  url: string;
  loopback: boolean;
}

/** Hosts for which a missing API key is allowed (local servers rarely check one). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Checks a base URL; returns what is wrong with it as a string. */
export function parseBaseUrl(text: string): ParsedBaseUrl | string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return `"${text}" is not a URL (expected e.g. https://api.deepseek.com/v1 or http://127.0.0.1:8080/v1)`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `"${u.protocol}" URLs are not supported (allowed: http, https)`;
  // Credentials in the URL would be copied into results and reports with the config.
  if (u.username !== '' || u.password !== '') return 'must not contain credentials: put the API key in the environment variable named by apiKeyEnv';
  if (u.hash !== '') return 'must not contain a #fragment';
  const base = u.pathname.replace(/\/+$/, '');
  const path = `${base}/chat/completions${u.search}`;
  return { origin: u.origin, path, url: `${u.origin}${path}`, loopback: isLoopbackHost(u.hostname) };
}
