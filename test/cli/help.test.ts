/**
 * Every command's --help ends with two or three real examples: the commands they run exist
 * and every flag they pass is one of that command's options, so examples cannot rot when a
 * flag is renamed. A command added to main.ts is held to this automatically.
 */
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { fakeProcess, runInProcess } from '../helpers/in-process.js';

const program = buildProgram(fakeProcess([]), () => {});
const commands = program.commands.map((c) => c.name());

/** The example lines ("  $ ...") at the very end of a help text, after their heading. */
function trailingExamples(help: string): { heading: string; examples: string[] } {
  const lines = help.trimEnd().split('\n');
  const examples: string[] = [];
  while (lines.length > 0 && /^\s+\$ /.test(lines[lines.length - 1] as string)) examples.unshift(lines.pop() as string);
  return { heading: (lines.pop() ?? '').trim(), examples };
}

/** Each `cluster-bench CMD ...` in an example line: the command and the flags it passes. */
function invocations(line: string): Array<{ command: string; flags: string[] }> {
  // The explanation after a wide gap is prose, not part of the command.
  const shell = (line.replace(/^\s+\$ /, '').split(/ {2,}/)[0] ?? '').replace(/[()<]/g, ' ');
  return shell
    .split(/&&|\|\||[|;&>]/)
    .map((part) => part.trim().split(/\s+/))
    .flatMap((words) => {
      const at = words.indexOf('cluster-bench');
      if (at < 0) return [];
      const rest = words.slice(at + 1);
      return [{ command: rest[0] ?? '', flags: rest.filter((w) => w.startsWith('-')).map((w) => w.split('=')[0] as string) }];
    });
}

describe('--help ends with two or three real examples', () => {
  it.each(commands.map((c) => [c]))('cluster-bench %s --help', async (name) => {
    const r = await runInProcess([name, '--help']);
    expect(r.code).toBe(0);
    const { heading, examples } = trailingExamples(r.stdout);
    expect(heading, `the line above the examples of ${name}`).toMatch(/^Examples.*:$/);
    expect(examples.length).toBeGreaterThanOrEqual(2);
    expect(examples.length).toBeLessThanOrEqual(3);
    for (const example of examples) {
      const calls = invocations(example);
      expect(calls.length, example).toBeGreaterThan(0);
      for (const call of calls) {
        const command = program.commands.find((c) => c.name() === call.command);
        expect(command, `${example}: no command "${call.command}"`).toBeDefined();
        const known = new Set([...(command?.options ?? []).flatMap((o) => [o.long, o.short]), '-h', '--help']);
        for (const flag of call.flags) expect(known.has(flag), `${example}: ${call.command} has no option ${flag}`).toBe(true);
      }
    }
    // At least one example is of this very command.
    expect(examples.some((e) => invocations(e).some((c) => c.command === name))).toBe(true);
  });

  it('the program help too, and it shows `new` for benchmarking your own code', async () => {
    const r = await runInProcess(['--help']);
    const { heading, examples } = trailingExamples(r.stdout);
    expect(heading).toBe('Examples:');
    expect(examples.length).toBeGreaterThanOrEqual(2);
    expect(examples.join('\n')).toContain('cluster-bench new my-bench');
  });

  it('the example checker catches a flag a command does not have', () => {
    expect(invocations('  $ cluster-bench run stress --frob   what it does')).toEqual([{ command: 'run', flags: ['--frob'] }]);
    expect(invocations('  $ source <(cluster-bench completion bash)   this shell')).toEqual([{ command: 'completion', flags: [] }]);
    expect(invocations('  $ cluster-bench new b && cluster-bench run b/scenario.yaml --set a=1')).toEqual([
      { command: 'new', flags: [] },
      { command: 'run', flags: ['--set'] },
    ]);
  });
});
