import type { RunResult } from '../result.js';

export interface RenderOptions {
  /** ANSI colours; the caller decides (TTY, NO_COLOR), so renderers stay deterministic. */
  color: boolean;
}

/** One output format. Renderers are pure: they return the text, the CLI writes it. */
export interface Renderer {
  name: string;
  render(result: RunResult, opts: RenderOptions): string;
}
