import { describe, expect, it } from 'vitest';
import { LATENCY_HEAD, latencyRows, reportModel } from '../../src/report/model.js';
import type { PhaseResult } from '../../src/results/types.js';
import { FIXTURE } from './fixture.js';

// latencyRows is the one source of the latency table's rows: the terminal (table.ts) lays
// them out and colours them, the markdown and HTML reports take them through the model.
describe('latencyRows', () => {
  const phases: PhaseResult[] = FIXTURE.scenarios.flatMap((s) => s.phases);

  it('a row per phase, each followed by its secondary distributions as "↳" sub-rows', () => {
    const rows = latencyRows(phases);
    const withSub = phases.find((p) => p.serviceTime !== undefined);
    expect(withSub).toBeDefined();
    const i = rows.findIndex((r) => !r.sub && r.cells[0] === withSub!.name);
    expect(rows[i + 1]).toMatchObject({ sub: true, errors: 0 });
    expect(rows[i + 1]!.cells[0]).toBe('↳ service time');
    expect(rows.filter((r) => !r.sub).map((r) => r.cells[1])).toEqual(phases.map((p) => p.op));
    for (const r of rows) expect(r.cells).toHaveLength(LATENCY_HEAD.length);
  });

  it("carries each phase's errors, for the terminal's red cell", () => {
    const rows = latencyRows(phases).filter((r) => !r.sub);
    expect(rows.map((r) => r.errors)).toEqual(phases.map((p) => p.errors));
    expect(rows.some((r) => r.errors > 0)).toBe(true);
  });

  it("are the rows of the report model's latency table", () => {
    const model = reportModel([FIXTURE]);
    for (const s of model.scenarios) {
      if (s.latency === undefined) continue;
      expect(s.latency.head).toEqual(LATENCY_HEAD);
      expect(s.latency.rows).toEqual(latencyRows(s.scenario.phases).map((r) => r.cells));
    }
  });
});
