/**
 * Shell completion, checked in real shells: the bash script is sourced in bash and its
 * completion function driven the way bash drives it (COMP_WORDS, COMP_CWORD, the function
 * `complete -p` names); the zsh script is loaded into an interactive zsh in a pseudo-terminal
 * and a Tab is typed (test/fixtures/zsh-capture.zsh). And the scripts follow the commander
 * program: a command or flag added to it is completed without touching completion.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Option } from 'commander';
import { FORMAT_CHOICES } from '../../src/report/registry.js';
import { describe, expect, it } from 'vitest';
import { completionScript, describeProgram } from '../../src/cli/completion.js';
import { buildProgram } from '../../src/cli/main.js';
import { listBuiltins } from '../../src/scenarios/builtin.js';
import { ROOT, tempDir } from '../e2e/helpers.js';
import { fakeProcess, runInProcess } from '../helpers/in-process.js';

const hasShell = (shell: string): boolean => spawnSync(shell, ['-c', 'exit 0']).status === 0;
const HAS_ZSH = hasShell('zsh');

async function script(shell: 'bash' | 'zsh'): Promise<string> {
  const r = await runInProcess(['completion', shell]);
  expect(r.code).toBe(0);
  return r.stdout;
}

const dir = tempDir();
let n = 0;
function saved(text: string, ext: string): string {
  const file = path.join(dir, `completion-${++n}.${ext}`);
  writeFileSync(file, text);
  return file;
}

/** What bash offers for `words` (the last one being completed), run in `cwd`. */
function bashComplete(scriptFile: string, words: string[], cwd = dir): string[] {
  const program = `
source "$1"; shift
spec=$(complete -p cluster-bench) || exit 90
fn=\${spec##*-F }; fn=\${fn%% *}
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=\${#COMP_LINE}
"$fn" cluster-bench "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', program, 'bash', scriptFile, ...words], { cwd, encoding: 'utf8', timeout: 30_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.split('\n').filter((l) => l !== '').sort();
}

/** What zsh offers when the line is typed and Tab pressed, in `cwd`. */
function zshComplete(scriptFile: string, line: string, cwd = dir): string[] {
  const r = spawnSync('zsh', ['-f', path.join(ROOT, 'test', 'fixtures', 'zsh-capture.zsh'), scriptFile, line], { cwd, encoding: 'utf8', timeout: 30_000 });
  expect(r.status).toBe(0);
  return [...new Set(r.stdout.split('\n').filter((l) => l !== ''))].sort();
}

describe('cluster-bench completion bash, in a real bash', () => {
  it('completes `cluster-bench run st` to stress (and store-retrieve)', async () => {
    const file = saved(await script('bash'), 'bash');
    expect(bashComplete(file, ['cluster-bench', 'run', 'st'])).toEqual(['store-retrieve', 'stress']);
    expect(bashComplete(file, ['cluster-bench', 'run', 'stre'])).toEqual(['stress']);
  });

  it('completes commands, flags, flag choices, built-in names, scenario files and directories', async () => {
    const file = saved(await script('bash'), 'bash');
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'mine.yaml'), '');
    writeFileSync(path.join(cwd, 'mine.txt'), '');
    mkdirSync(path.join(cwd, 'minedir'));
    expect(bashComplete(file, ['cluster-bench', 'r'])).toEqual(['report', 'run']);
    expect(bashComplete(file, ['cluster-bench', ''])).toEqual(describeProgram(buildProgram(fakeProcess([]), () => {})).commands.map((c) => c.name).sort());
    expect(bashComplete(file, ['cluster-bench', 'run', '--str'])).toEqual(['--strict']);
    expect(bashComplete(file, ['cluster-bench', 'new', 'x', '--provider', ''])).toEqual(['agent', 'llm', 'memory']);
    expect(bashComplete(file, ['cluster-bench', 'completion', ''])).toEqual(['bash', 'zsh']);
    // Output formats come from the one format registry (report) and compare's own list.
    expect(bashComplete(file, ['cluster-bench', 'report', 'r.json', '--format', ''])).toEqual([...FORMAT_CHOICES].sort());
    expect(bashComplete(file, ['cluster-bench', 'compare', 'a.json', 'b.json', '--format', 'h'])).toEqual(['html']);
    // Every built-in, the ones `all` leaves out (soak, agent-sessions) included.
    expect(bashComplete(file, ['cluster-bench', 'run', ''])).toEqual([...listBuiltins().map((b) => b.name), 'all'].sort());
    expect(bashComplete(file, ['cluster-bench', 'run', 'agent-'])).toEqual(['agent-sessions']);
    // Scenario files and directories to descend into, not other files.
    expect(bashComplete(file, ['cluster-bench', 'run', 'mi'], cwd)).toEqual(['mine.yaml', 'minedir']);
    expect(bashComplete(file, ['cluster-bench', 'run', '--out', 'mi'], cwd)).toEqual(['mine.txt', 'mine.yaml', 'minedir']);
    expect(bashComplete(file, ['cluster-bench', 'new', 'mi'], cwd)).toEqual(['minedir']);
    // A value that is not a file completes to nothing rather than to files.
    expect(bashComplete(file, ['cluster-bench', 'run', 'stress', '--seed', 'mi'], cwd)).toEqual([]);
  });

  it('completes the scale-out flags, and merge\'s shard files (JSON) and directories', async () => {
    const file = saved(await script('bash'), 'bash');
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'shard-0.json'), '');
    writeFileSync(path.join(cwd, 'shard-0.log'), '');
    mkdirSync(path.join(cwd, 'shards'));
    expect(bashComplete(file, ['cluster-bench', 'run', '--w'])).toEqual(['--workers']);
    expect(bashComplete(file, ['cluster-bench', 'run', '--sh'])).toEqual(['--shard']);
    expect(bashComplete(file, ['cluster-bench', 'run', '--sp'])).toEqual(['--speed']);
    expect(bashComplete(file, ['cluster-bench', 'me'])).toEqual(['merge']);
    expect(bashComplete(file, ['cluster-bench', 'merge', 'sh'], cwd)).toEqual(['shard-0.json', 'shards']);
    expect(bashComplete(file, ['cluster-bench', 'merge', 'shard-0.json', 'sh'], cwd)).toEqual(['shard-0.json', 'shards']);
  });
});

describe.skipIf(!HAS_ZSH)('cluster-bench completion zsh, in a real zsh (skipped where zsh is not installed)', () => {
  it('completes `cluster-bench run st` to stress (and store-retrieve), flags and flag choices', async () => {
    const file = saved(await script('zsh'), 'zsh');
    expect(zshComplete(file, 'cluster-bench run st')).toEqual(['store-retrieve', 'stress']);
    expect(zshComplete(file, 'cluster-bench r')).toEqual(['report', 'run']);
    expect(zshComplete(file, 'cluster-bench run --str')).toEqual(['--strict']);
    expect(zshComplete(file, 'cluster-bench new x --provider ')).toEqual(['agent', 'llm', 'memory']);
    expect(zshComplete(file, 'cluster-bench compare --n')).toEqual(['--noise']);
  });
});

describe('the scripts follow the program', () => {
  it('a command and flags added to the commander program are completed, by both shells', async () => {
    const program = buildProgram(fakeProcess([]), () => {});
    program
      .command('frobnicate')
      .description('a command added later: [brackets] and "quotes" and it\'s: colons')
      .option('--frob-level <n>', 'how much')
      .addOption(new Option('--frob-mode <mode>', 'which way').choices(['fast', 'slow']))
      .argument('<file>', 'a file');
    const bash = saved(completionScript(program, 'bash', '0.0.0'), 'bash');
    expect(bashComplete(bash, ['cluster-bench', 'frob'])).toEqual(['frobnicate']);
    expect(bashComplete(bash, ['cluster-bench', 'frobnicate', '--frob-'])).toEqual(['--frob-level', '--frob-mode']);
    expect(bashComplete(bash, ['cluster-bench', 'frobnicate', '--frob-mode', ''])).toEqual(['fast', 'slow']);
    if (HAS_ZSH) {
      const zsh = saved(completionScript(program, 'zsh', '0.0.0'), 'zsh');
      expect(zshComplete(zsh, 'cluster-bench frob')).toEqual(['frobnicate']);
      expect(zshComplete(zsh, 'cluster-bench frobnicate --frob-mode ')).toEqual(['fast', 'slow']);
    }
  });

  it('an unknown shell is bad input (exit 2)', async () => {
    const r = await runInProcess(['completion', 'fish']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Allowed choices are bash, zsh');
  });
});
