import { describe, expect, it } from 'vitest';
import { createGoodputCounter, ttftFromStart } from '../../src/runner/goodput.js';

describe('goodput', () => {
  it('counts a request good when it meets every part of the SLO', () => {
    const g = createGoodputCounter({ latencyMs: 50, ttftMs: 20 });
    const streamed = (ttftNs: number, totalNs: number) => ({ timing: { ttftNs, totalNs, itlNs: [], outputTokens: 1 } });
    g.onOk(40e6, streamed(10e6, 40e6)); // good: 40 ms, first token at 10 ms
    g.onOk(60e6, streamed(10e6, 40e6)); // too slow overall
    g.onOk(45e6, streamed(30e6, 35e6)); // first token at 40 ms from the start: too late
    g.onOk(30e6, { content: 'whole answer' }); // not streamed: its first token came with its last, at 30 ms
    // 6 finished in 2 s (two failed, never good).
    expect(g.result(6, 2000)).toEqual({ latencyNs: 50e6, ttftNs: 20e6, good: 1, fraction: 1 / 6, rate: 0.5 });
    g.reset();
    expect(g.result(0, 0)).toEqual({ latencyNs: 50e6, ttftNs: 20e6, good: 0, fraction: 0, rate: 0 });
  });

  it('counts ttft from the same start as the latency: queueing before the first token counts', () => {
    // 100 ms from the scheduled start; the stream took 60 ms of it, first token 5 ms in.
    expect(ttftFromStart(100e6, { timing: { ttftNs: 5e6, totalNs: 60e6 } })).toBe(45e6);
    expect(ttftFromStart(100e6, {})).toBe(100e6);
    expect(ttftFromStart(100e6, null)).toBe(100e6);
  });

  it('with latency only, any successful request within it is good', () => {
    const g = createGoodputCounter({ latencyMs: 10 });
    for (const ms of [1, 5, 10, 11, 50]) g.onOk(ms * 1e6, undefined);
    expect(g.result(5, 1000)).toMatchObject({ good: 3, fraction: 0.6, rate: 3 });
    expect(g.result(5, 1000).ttftNs).toBeUndefined();
  });
});
