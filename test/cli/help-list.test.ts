/** Help, list and flag checks of the commands, in-process: exact exit codes and output. */
import { describe, expect, it } from 'vitest';
import { BUILTIN_NAMES } from '../../src/scenarios/builtin.js';
import { FORMAT_CHOICES, FORMATS } from '../../src/report/registry.js';
import { runInProcess } from '../helpers/in-process.js';

describe('help and list', () => {
  it('run --help teaches: options, examples, exit codes', async () => {
    const r = await runInProcess(['run', '--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const text of ['Examples:', '--set <path=value>', 'Exit codes', 'Latency models']) expect(r.stdout).toContain(text);
  });

  it('report --help lists every registered format with its line of help', async () => {
    const r = await runInProcess(['report', '--help']);
    expect(r.code).toBe(0);
    // The option's choices come from the registry too (commander lists them; completion offers them).
    const flat = r.stdout.replace(/\s+/g, ' ');
    expect(flat).toContain(`-f, --format <format> what to render (each is described below) (choices: ${FORMAT_CHOICES.map((c) => `"${c}"`).join(', ')}, default: "md")`);
    for (const f of FORMATS) expect(r.stdout).toMatch(new RegExp(`^  ${[...(f.aliases ?? []), f.name].join(', ')} +${f.description.replace(/[[\]{}?()|.*+^$]/g, '\\$&')}$`, 'm'));
  });

  it('lists the eight built-in scenarios with descriptions', async () => {
    const r = await runInProcess(['list']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const name of BUILTIN_NAMES) expect(r.stdout).toMatch(new RegExp(`^\\s+${name}\\s+\\S`, 'm'));
  });

  it('list --json is the same list for machines', async () => {
    const r = await runInProcess(['list', '--json']);
    expect(r.code).toBe(0);
    const names = (JSON.parse(r.stdout) as Array<{ name: string }>).map((s) => s.name);
    // The eight seed measurements first, then the other shipped scenarios.
    expect(names.slice(0, BUILTIN_NAMES.length)).toEqual([...BUILTIN_NAMES]);
    expect(names).toContain('agent-sessions');
  });

  it('an unknown command is bad input', async () => {
    const r = await runInProcess(['rnu']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: unknown command 'rnu'/);
  });
});

describe('mock-llm rejects bad flags with exit 2, one line', () => {
  it.each<[string[], string]>([
    [['--error-rate', '2'], '--error-rate "2": expected a number from 0 to 1'],
    [['--ttft', 'soon'], '--ttft "soon": expected a duration such as 250us, 5ms, 1.5s, 10m or 1h'],
    [['--api-key-env', 'SURELY_UNSET_VARIABLE_X'], '--api-key-env SURELY_UNSET_VARIABLE_X: that environment variable is not set'],
  ])('%j', async (flags, message) => {
    expect(await runInProcess(['mock-llm', ...flags])).toEqual({ code: 2, stdout: '', stderr: `cluster-bench: error: ${message}\n` });
  });
});
