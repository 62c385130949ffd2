/**
 * `cluster-bench new`: what it writes runs as written and names the plugin, type-checks as
 * an editor would check it, validates against the scenario schema, and never overwrites.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { planScaffold, scenarioName } from '../../src/cli/new.js';
import { SCENARIO_SCHEMA_FILE } from '../../src/cli/schema.js';
import { scenarioJsonSchema } from '../../src/scenarios/json-schema.js';
import { ROOT, tempDir } from '../e2e/helpers.js';
import { runInProcess } from '../helpers/in-process.js';

const KINDS = ['llm', 'memory', 'agent'] as const;
const PLUGIN_NAMES = { llm: 'my-llm', memory: 'my-memory', agent: 'my-agent' } as const;

/** A user's project: a package.json and cluster-bench in node_modules (a link to this package, built). */
function project(): string {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'package.json'), '{ "name": "my-project", "private": true }\n');
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(ROOT, path.join(dir, 'node_modules', 'cluster-bench'), 'dir');
  return dir;
}

const validate = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true }).compile(scenarioJsonSchema());

describe('cluster-bench new', () => {
  it.each(KINDS.map((k) => [k]))('--provider %s: runs as written, exits 0 and reports the plugin by its name', async (kind) => {
    const dir = project();
    const made = await runInProcess(['new', 'my-bench', '--provider', kind], { cwd: dir });
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    expect(made.stdout).toContain('npx cluster-bench run my-bench/scenario.yaml');
    expect(made.stdout).toContain('cluster-bench is installed (node_modules/cluster-bench): nothing to install');

    const text = readFileSync(path.join(dir, 'my-bench', 'scenario.yaml'), 'utf8');
    expect(validate(parse(text))).toBe(true);
    // The editor line points at the schema the installed package ships.
    const schemaRef = /^# yaml-language-server: \$schema=(\S+)\n/.exec(text)?.[1];
    expect(schemaRef).toBe('../node_modules/cluster-bench/schema/scenario.schema.json');
    expect(readFileSync(path.resolve(dir, 'my-bench', schemaRef as string), 'utf8')).toBe(readFileSync(SCENARIO_SCHEMA_FILE, 'utf8'));

    const out = path.join(dir, 'result.json');
    // --no-gate: whether this machine meets the targets is a wall-clock claim, which a test on a
    // shared machine must not make; the run itself must still succeed (exit 0, not 2 or 3).
    const run = await runInProcess(['run', 'my-bench/scenario.yaml', '--no-save', '--no-gate', '--out', out], { cwd: dir });
    expect(run.stderr).not.toContain('error:');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Plugins: ${kind} "${PLUGIN_NAMES[kind]}" (my-${kind}.mjs)`);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    const scenario = result.scenarios[0];
    expect(scenario.name).toBe('my-bench');
    expect(scenario.providers.plugins).toEqual([{ kind, name: PLUGIN_NAMES[kind], module: path.join(dir, 'my-bench', `my-${kind}.mjs`) }]);
    for (const phase of scenario.phases) {
      expect(phase.count).toBeGreaterThan(0);
      expect(phase.errors).toBe(0);
    }
    // The markdown report, rendered again from the saved result, names the plugin too.
    const report = await runInProcess(['report', out], { cwd: dir });
    expect(report.stdout).toContain(`> Plugins: ${kind} "${PLUGIN_NAMES[kind]}" (my-${kind}.mjs)`);
    // Every target was measured and judged (none is "could not be measured").
    expect(scenario.targets.length).toBeGreaterThanOrEqual(3);
    for (const t of scenario.targets) expect(typeof t.measured, t.source).toBe('number');
  });

  it('its plugins type-check with JSDoc from the package types, as an editor checks them (tsc --checkJs --strict)', () => {
    const dir = project();
    const files: string[] = [];
    for (const kind of KINDS) {
      const s = planScaffold(dir, kind, { provider: kind });
      const plugin = s.files[1] as { file: string; content: string };
      mkdirSync(path.dirname(plugin.file), { recursive: true });
      writeFileSync(plugin.file, plugin.content);
      files.push(plugin.file);
    }
    // A control, so a check that checks nothing cannot pass: a provider whose name is a number.
    const broken = path.join(dir, 'broken.mjs');
    writeFileSync(broken, (planScaffold(dir, 'x', { provider: 'memory' }).files[1] as { content: string }).content.replace('name: label,', 'name: 42,'));
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const r = spawnSync(
      process.execPath,
      [tsc, '--noEmit', '--allowJs', '--checkJs', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2022,dom', ...files, broken],
      { cwd: dir, encoding: 'utf8', timeout: 120_000 },
    );
    const errors = r.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^broken\.mjs\(\d+,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/);
  });

  it('never overwrites: exit 2 naming the existing file, and writes none of the others', async () => {
    const dir = project();
    mkdirSync(path.join(dir, 'b'));
    writeFileSync(path.join(dir, 'b', 'my-memory.mjs'), 'mine\n');
    const r = await runInProcess(['new', 'b', '--provider', 'memory'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'cluster-bench: error: b/my-memory.mjs: already exists; cluster-bench new never overwrites a file (nothing was written: choose another directory, or move it away)\n',
    );
    expect(readFileSync(path.join(dir, 'b', 'my-memory.mjs'), 'utf8')).toBe('mine\n');
    expect(existsSync(path.join(dir, 'b', 'scenario.yaml'))).toBe(false);
    // A second run over a complete scaffold names every file.
    expect((await runInProcess(['new', 'c'], { cwd: dir })).code).toBe(0);
    const again = await runInProcess(['new', 'c'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('c/scenario.yaml, c/my-llm.mjs: already exist;');
  });

  it('a dangling symbolic link counts as an existing file (writing would follow it)', async () => {
    const dir = project();
    mkdirSync(path.join(dir, 'd'));
    symlinkSync(path.join(dir, 'elsewhere.yaml'), path.join(dir, 'd', 'scenario.yaml'));
    const r = await runInProcess(['new', 'd'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(existsSync(path.join(dir, 'elsewhere.yaml'))).toBe(false);
  });

  it('bad flags and a file in the way of the directory are bad input (exit 2)', async () => {
    const dir = project();
    const r = await runInProcess(['new', 'x', '--provider', 'vector-db'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Allowed choices are llm, memory, agent");
    expect((await runInProcess(['new', 'x', '--ci', 'gitlab'], { cwd: dir })).code).toBe(2);
    writeFileSync(path.join(dir, 'afile'), '');
    const f = await runInProcess(['new', 'afile'], { cwd: dir });
    expect(f.code).toBe(2);
    expect(f.stderr).toBe('cluster-bench: error: afile: exists and is not a directory\n');
  });

  it('--ci github writes a valid workflow at the repository root that runs the scenario with a baseline gate', async () => {
    const repo = project();
    mkdirSync(path.join(repo, '.git'));
    const sub = path.join(repo, 'packages', 'api');
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, 'package.json'), '{ "name": "api", "private": true }\n');
    const r = await runInProcess(['new', 'bench', '--provider', 'memory', '--ci', 'github'], { cwd: sub });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('../../.github/workflows/cluster-bench.yml');
    const workflow = readFileSync(path.join(repo, '.github', 'workflows', 'cluster-bench.yml'), 'utf8');
    const state = validateWorkflow(workflow);
    expect(state.errors).toEqual([]);
    expect(workflow).not.toMatch(/\{\{\w+\}\}/);
    expect(workflow).toContain('working-directory: packages/api');
    expect(workflow).toContain('npx cluster-bench run bench/scenario.yaml --trials 5 --baseline baseline/result.json --out pr.json');
    expect(workflow).toContain('path: packages/api/baseline/result.json');
    // Every step that runs cluster-bench names options that exist.
    const run = await runInProcess(['run', '--help']);
    for (const flag of ['--trials', '--baseline', '--out']) expect(run.stdout).toContain(flag);
  });

  it('says how to install cluster-bench when the project does not have it (it is not on the registry)', () => {
    const dir = tempDir();
    const s = planScaffold(dir, 'my-bench', {});
    expect(s.installedAt).toBeUndefined();
    expect(s.install).toEqual([`npm pack ${ROOT.replace(/\/$/, '')} && npm install --save-dev ./cluster-bench-${JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}.tgz`]);
    // The editor line already points where the install will put the schema.
    expect((s.files[0] as { content: string }).content.split('\n')[0]).toBe('# yaml-language-server: $schema=../node_modules/cluster-bench/schema/scenario.schema.json');
  });

  it.each([
    ['my-bench', 'my-bench'],
    ['My Bench!', 'my-bench'],
    ['_private', 'private'],
    ['/', 'my-bench'],
    ['llm_v2', 'llm_v2'],
  ])('names the scenario after the directory: %s -> %s', (dir, name) => {
    expect(scenarioName(dir)).toBe(name);
  });
});
