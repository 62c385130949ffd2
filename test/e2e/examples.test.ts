/**
 * The scale-out examples cannot drift from the code: the Kubernetes manifest and the GitHub
 * Actions workflow are validated offline, and their exact command lines are run here as N
 * local processes with the engine's index set, then merged as their merge steps say.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { PersistentVolumeClaim } from 'kubernetes-models/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { validateWorkflow } from '@action-validator/core';
import type { RunResult } from '../../src/results/types.js';
import { definitionOf, unknownKeys } from '../helpers/k8s-keys.js';
import { BIN, ROOT, tempDir, testEnv } from './helpers.js';

/** Manifests and workflows are free-form YAML. */
type Doc = any;

const MANIFEST = path.join(ROOT, 'examples/k8s/indexed-job.yaml');
const WORKFLOW = path.join(ROOT, 'examples/github-actions/sharded.yml');
const DOCKERFILE = path.join(ROOT, 'Dockerfile');

/** The stress scenario (1,000 VUs x 100) in 3 shards: k6 shares of the VUs, 333 / 334 / 333. */
const STRESS_STRIPES = [33_300, 33_400, 33_300];

const manifest = (): Doc[] => parseAllDocuments(readFileSync(MANIFEST, 'utf8')).map((d) => d.toJS());
const jobs = (docs: Doc[]): { shards: Doc; merge: Doc } => ({
  shards: docs.find((d) => d.kind === 'Job' && d.spec.completionMode === 'Indexed'),
  merge: docs.find((d) => d.kind === 'Job' && d.spec.completionMode === undefined),
});

function dockerfile(): { from: string[]; entrypoint: string[]; workdir: string; copies: string[] } {
  const lines = readFileSync(DOCKERFILE, 'utf8').split('\n').filter((l) => !l.startsWith('#'));
  const arg = (k: string): string[] => lines.filter((l) => l.startsWith(`${k} `)).map((l) => l.slice(k.length + 1).trim());
  const workdirs = arg('WORKDIR');
  return { from: arg('FROM'), entrypoint: JSON.parse(arg('ENTRYPOINT').at(-1)!), workdir: workdirs.at(-1)!, copies: arg('COPY') };
}

interface Proc {
  code: number | null;
  stdout: string;
  stderr: string;
}

function spawnCli(argv: string[], cwd: string, env: Record<string, string>): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { cwd, env: testEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Kubernetes expands $(VAR) in args from the container's env. */
function expandK8s(args: string[], env: Record<string, string>): string[] {
  return args.map((a) => a.replace(/\$\((\w+)\)/g, (_m, name: string) => env[name] ?? `$(${name})`));
}

/** The container's args under the image's entry point, as the local binary's argv. */
function entryArgv(container: Doc, env: Record<string, string>): string[] {
  const [node, script] = dockerfile().entrypoint;
  expect(node).toBe('node');
  expect(script).toBe('/app/bin/cluster-bench.js');
  return expandK8s(container.args, env);
}

const envOf = (container: Doc): Record<string, string> => Object.fromEntries((container.env ?? []).map((e: Doc) => [e.name, e.value]));
const soon = (ms: number): string => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000).toISOString().replace('.000Z', 'Z');

describe('Dockerfile', () => {
  it('builds on the official Node.js 20 image, with the CLI as its entry point, working in /results', () => {
    const d = dockerfile();
    for (const from of d.from) expect(from).toMatch(/^node:20[-.\w]*( AS \w+)?$/);
    expect(d.entrypoint).toEqual(['node', '/app/bin/cluster-bench.js']);
    // The entry point's script is where the image puts the bin directory (WORKDIR /app, COPY bin ./bin).
    expect(d.copies).toContain('bin ./bin');
    expect(d.copies).toContain('scenarios ./scenarios');
    expect(d.workdir).toBe('/results');
  });
});

describe('examples/k8s/indexed-job.yaml', () => {
  it('is valid for kubernetes-models, and uses only keys the Kubernetes API defines', () => {
    const docs = manifest();
    expect(docs.map((d) => d.kind)).toEqual(['PersistentVolumeClaim', 'Job', 'Job']);
    for (const d of docs) {
      const model = d.kind === 'Job' ? new Job(d) : new PersistentVolumeClaim(d);
      expect(() => model.validate()).not.toThrow();
      expect(unknownKeys(d, definitionOf(d.apiVersion, d.kind))).toEqual([]);
    }
  });

  it('the key check catches misspelled keys at any depth (which kubernetes-models alone lets pass)', () => {
    const job = structuredClone(jobs(manifest()).shards);
    job.spec.completionMod = 'Indexed';
    job.spec.template.metadata.labelz = {};
    job.spec.template.spec.volumes[0].persistentVolumeClaim.claimNam = 'x';
    expect(() => new Job(job).validate()).not.toThrow();
    expect(unknownKeys(job, definitionOf(job.apiVersion, job.kind)).sort()).toEqual(['spec.completionMod', 'spec.template.metadata.labelz', 'spec.template.spec.volumes.0.persistentVolumeClaim.claimNam']);
  });

  it('is an Indexed Job of N shards all at once, never retried, on a shared volume, and its merge expects N', () => {
    const docs = manifest();
    const { shards, merge } = jobs(docs);
    const n = shards.spec.completions;
    expect(shards.spec).toMatchObject({ completionMode: 'Indexed', parallelism: n, backoffLimitPerIndex: 0 });
    expect(merge.spec.backoffLimit).toBe(0);
    const pvc = docs.find((d) => d.kind === 'PersistentVolumeClaim');
    expect(pvc.spec.accessModes).toContain('ReadWriteMany');
    for (const job of [shards, merge]) {
      const pod = job.spec.template.spec;
      const c = pod.containers[0];
      // No command: the image's entry point (the CLI) runs the args.
      expect(c.command).toBeUndefined();
      expect(c.workingDir).toBe(dockerfile().workdir);
      expect(c.volumeMounts[0].mountPath).toBe(c.workingDir);
      expect(pod.volumes[0].persistentVolumeClaim.claimName).toBe(pvc.metadata.name);
    }
    const shardArgs: string[] = shards.spec.template.spec.containers[0].args;
    expect(shardArgs.slice(0, 2)).toEqual(['run', 'stress']);
    expect(shardArgs[shardArgs.indexOf('--shard') + 1]).toBe(`auto/${n}`);
    const mergeArgs: string[] = merge.spec.template.spec.containers[0].args;
    expect(mergeArgs[0]).toBe('merge');
    expect(mergeArgs[mergeArgs.indexOf('--expect-shards') + 1]).toBe(String(n));
  });

  it('simulated: 3 shards from its command line with JOB_COMPLETION_INDEX set, then its merge step', async () => {
    const { shards, merge } = jobs(manifest());
    const cwd = tempDir(); // stands for the volume, mounted on the working directory
    const container = shards.spec.template.spec.containers[0];
    // The synchronized start the docs recommend, ahead by more than start-up and warm-up take.
    const env: Record<string, string> = { ...envOf(container), START_AT: soon(15_000) };
    const n: number = shards.spec.completions;
    const runs = await Promise.all(Array.from({ length: n }, (_, i) => spawnCli(entryArgv(container, env), cwd, { ...env, JOB_COMPLETION_INDEX: String(i) })));
    runs.forEach((r) => expect(r.stderr).not.toMatch(/error:/));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    const files = Array.from({ length: n }, (_, i) => path.join(cwd, env['RUN_ID']!, `shard-${i}.json`));
    const results = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as RunResult);
    // Each shard did exactly its stripe of the 100,000 requests.
    expect(results.map((r) => r.scenarios[0]!.phases[0]!.count)).toEqual(STRESS_STRIPES);
    expect(results.map((r) => r.shard?.index)).toEqual([0, 1, 2]);

    const mc = merge.spec.template.spec.containers[0];
    const m = await spawnCli(entryArgv(mc, envOf(mc)), cwd, envOf(mc));
    expect(m.stderr).toMatch(/merged result written to/);
    expect(m.code).toBe(0);
    const merged = JSON.parse(readFileSync(path.join(cwd, `${envOf(mc)['RUN_ID']}-merged.json`), 'utf8')) as RunResult;
    const phase = merged.scenarios[0]!.phases[0]!;
    expect(phase.count).toBe(100_000);
    expect(phase.latency.count).toBe(100_000);
    expect(phase.errors).toBe(0);
    expect(merged.merged?.startSkewMs).toBeLessThan(1_000);
    expect(merged.gate.passed).toBe(true);
  }, 180_000);
});

describe('examples/github-actions/sharded.yml', () => {
  const workflow = (): Doc => parse(readFileSync(WORKFLOW, 'utf8'));

  it('is a valid workflow (action-validator, offline)', () => {
    const text = readFileSync(WORKFLOW, 'utf8');
    expect(validateWorkflow(text).errors).toEqual([]);
    // And the validator does catch a wrong key.
    expect(validateWorkflow(text.replace('runs-on:', 'runz-on:')).errors.length).toBeGreaterThan(0);
  });

  it('keeps every shard when one fails, uploads one artifact per shard, and merges them all', () => {
    const w = workflow();
    expect(w.jobs.shard.strategy['fail-fast']).toBe(false);
    const upload = w.jobs.shard.steps.find((s: Doc) => String(s.uses).startsWith('actions/upload-artifact'));
    expect(upload.with.name).toBe('shard-${{ matrix.shard }}');
    const download = w.jobs.merge.steps.find((s: Doc) => String(s.uses).startsWith('actions/download-artifact'));
    expect(download.with).toMatchObject({ pattern: 'shard-*', 'merge-multiple': true });
    expect(w.jobs.merge.needs).toBe('shard');
  });

  it('simulated: its shard step for each matrix entry, then its merge step', async () => {
    const w = workflow();
    const cwd = tempDir(); // the artifacts, downloaded with merge-multiple, land in one directory
    const shardStep: string = w.jobs.shard.steps.find((s: Doc) => String(s.run ?? '').includes('--shard')).run;
    const mergeStep: string = w.jobs.merge.steps.find((s: Doc) => String(s.run ?? '').includes(' merge ')).run;
    const matrix: number[] = w.jobs.shard.strategy.matrix.shard;
    expect(shardStep).toContain(`--shard \${{ matrix.shard }}/${matrix.length}`);
    const start = soon(15_000);
    const expand = (cmd: string, shard?: number): string[] => {
      const line = cmd
        .replaceAll('${{ matrix.shard }}', String(shard))
        .replaceAll('${{ github.run_id }}', '4242')
        .replaceAll('${{ github.run_attempt }}', '1')
        .replaceAll('${{ needs.plan.outputs.start }}', start);
      expect(line).not.toContain('${{');
      const words = line.trim().split(/\s+/);
      expect(words.slice(0, 2)).toEqual(['npx', 'cluster-bench']);
      return words.slice(2);
    };
    const runs = await Promise.all(matrix.map((shard) => spawnCli(expand(shardStep, shard), cwd, {})));
    expect(runs.map((r) => r.code)).toEqual(matrix.map(() => 0));
    const m = await spawnCli(expand(mergeStep), cwd, {});
    expect(m.code).toBe(0);
    const merged = JSON.parse(readFileSync(path.join(cwd, 'merged.json'), 'utf8')) as RunResult;
    expect(merged.merged).toMatchObject({ runId: 'gh-4242-1', total: 3, shards: [0, 1, 2], incomplete: false });
    expect(merged.scenarios[0]!.phases[0]!.count).toBe(100_000);
    expect(merged.merged!.startSkewMs).toBeLessThan(1_000);
  }, 180_000);
});
