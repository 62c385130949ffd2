/**
 * The path a user takes: the package as `npm pack` makes it (only package.json "files"),
 * installed into an empty project, then `npx cluster-bench new` and `npx cluster-bench run`
 * there. Unlike a checkout, nothing but the packed files exists, so this is what shows that
 * the schema, the built-in scenarios and the templates ship. The registry is only asked for
 * cluster-bench's own dependencies (--prefer-offline: the npm cache first).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir, testEnv } from './helpers.js';

const env = testEnv({ npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' });

function sh(command: string, args: string[], cwd: string, timeout = 120_000): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout });
}

/** `npx --no cluster-bench ...`: the project's own install, never a download. */
const npx = (cwd: string, ...args: string[]): SpawnSyncReturns<string> => sh('npx', ['--no', 'cluster-bench', ...args], cwd);

describe('npm pack, install into an empty project, npx cluster-bench', () => {
  const project = tempDir();
  let files: string[] = [];

  beforeAll(() => {
    // npm test builds first; the tarball is made from that build (--ignore-scripts: no second build).
    for (const built of ['dist/cli/main.js', 'dist/index.d.ts', 'schema/scenario.schema.json']) {
      if (!existsSync(path.join(ROOT, built))) throw new Error(`${built} is missing: run \`npm run build\` first`);
    }
    const packed = sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], ROOT);
    expect(packed.status, packed.stderr).toBe(0);
    const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    files = (info?.files ?? []).map((f) => f.path);
    writeFileSync(path.join(project, 'package.json'), '{ "name": "my-project", "private": true }\n');
    const installed = sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--save-dev', `./${info?.filename}`], project);
    expect(installed.status, installed.stderr).toBe(0);
  }, 180_000);

  it('the tarball holds the build, the schema, the scenarios and the templates, and no sources', () => {
    const scenarios = readdirSync(path.join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml'));
    const templates = readdirSync(path.join(ROOT, 'templates'));
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/cluster-bench.js',
        'dist/cli/main.js',
        'dist/index.d.ts',
        'schema/scenario.schema.json',
        ...scenarios.map((f) => `scenarios/${f}`),
        ...templates.map((f) => `templates/${f}`),
      ]),
    );
    expect(files.filter((f) => /^(src|test|scripts|bench)\//.test(f))).toEqual([]);
  });

  it('new + run: writes a memory benchmark, runs it and names the plugin', () => {
    const made = npx(project, 'new', 'my-bench', '--provider', 'memory');
    expect(made.stderr).toBe('');
    expect(made.status).toBe(0);
    expect(made.stdout).toContain('cluster-bench is installed (node_modules/cluster-bench): nothing to install');
    const scenario = readFileSync(path.join(project, 'my-bench', 'scenario.yaml'), 'utf8');
    const schemaRef = /^# yaml-language-server: \$schema=(\S+)/.exec(scenario)?.[1] as string;
    expect(existsSync(path.resolve(project, 'my-bench', schemaRef))).toBe(true);

    // --no-gate: whether this machine meets the targets is not what this test is about.
    const run = npx(project, 'run', 'my-bench/scenario.yaml', '--no-save', '--no-gate', '--out', 'result.json');
    expect(run.stderr).not.toContain('error:');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Plugins: memory "my-memory" (my-memory.mjs)');
    const result = JSON.parse(readFileSync(path.join(project, 'result.json'), 'utf8'));
    expect(result.scenarios[0].phases.map((p: { errors: number }) => p.errors)).toEqual([0, 0, 0]);
  });

  it('the built-in scenarios and the schema are there, from the installed package', () => {
    const schemaPath = npx(project, 'schema', '--path');
    expect(schemaPath.status).toBe(0);
    expect(schemaPath.stdout.trim()).toBe(path.join(project, 'node_modules', 'cluster-bench', 'schema', 'scenario.schema.json'));
    const list = npx(project, 'list');
    expect(list.status).toBe(0);
    for (const name of ['init', 'llm-call', 'stress', 'soak']) expect(list.stdout).toContain(`  ${name}`);
    const run = npx(project, 'run', 'llm-call', '--no-save', '--no-gate', '--set', 'phases.0.executor.iterations=20', '--set', 'phases.1.executor.iterations=20');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`source ${path.join(project, 'node_modules', 'cluster-bench', 'scenarios', 'llm-call.yaml')}`);
  });
});
