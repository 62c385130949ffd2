/**
 * `cluster-bench new [dir]`: the first ten minutes of benchmarking your own code. Writes a
 * commented scenario, a plugin module in plain JavaScript typed with JSDoc from the
 * package's exported types (editors check it without a build; nothing is imported at run
 * time, so it runs wherever cluster-bench runs), and with `--ci github` a workflow that
 * gates pull requests on a baseline. The templates are real files under templates/.
 *
 * It never overwrites: every file is checked before any is written, and each is created
 * exclusively (a link from a temporary file), so a file that appears meanwhile is not
 * clobbered either and no file is ever half written.
 */
import { existsSync, linkSync, lstatSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CliError, ExitCode, badInput } from '../errors.js';
import type { PluginKind } from '../providers/plugin.js';
import { TOOL_VERSION } from './version.js';
import type { CliProcess } from './process.js';
import { PACKAGE_ROOT, SCENARIO_SCHEMA_FILE } from './schema.js';
import { SCENARIO_SCHEMA_PATH } from '../scenarios/json-schema.js';

export const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');

export interface NewFlags {
  provider?: PluginKind;
  ci?: 'github';
}

/** One file `new` writes. */
export interface PlannedFile {
  /** Absolute path. */
  file: string;
  /** As printed: relative to the working directory. */
  shown: string;
  content: string;
  what: string;
}

export interface Scaffold {
  kind: PluginKind;
  files: PlannedFile[];
  /** The command that runs the scenario, from the working directory. */
  run: string;
  /** How to install cluster-bench where the scaffold can use it; undefined when it already is. */
  install: string[] | undefined;
  /** Where it is installed, when it is. */
  installedAt: string | undefined;
}

const KIND_WORDS: Record<PluginKind, { provider: string; edit: string }> = {
  llm: { provider: 'LLM client', edit: 'make call() call your own client (SDK, gateway, local model)' },
  memory: { provider: 'memory provider', edit: 'make its methods call your own store (Redis, a database, your service)' },
  agent: { provider: 'agent', edit: 'make execute() run your own agent loop and tools' },
};

const posix = (p: string): string => p.split(path.sep).join('/');

/** A path as printed or put in a file: relative, with forward slashes; "." for the directory itself. */
function relative(from: string, to: string): string {
  const r = posix(path.relative(from, to));
  return r === '' ? '.' : r;
}

/** Quotes a path for a shell command line when it needs it. */
function shellWord(word: string): string {
  return /^[\w./@:+=-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A scenario name from a directory name: lower-case letters, digits, "-" and "_" (the schema's rule). */
export function scenarioName(dir: string): string {
  const name = path
    .basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+/, '')
    .replace(/-+$/, '');
  return name === '' ? 'my-bench' : name;
}

/** The nearest of `start` and its ancestors for which `test` holds. */
function findUp(start: string, test: (dir: string) => boolean): string | undefined {
  let dir = start;
  for (;;) {
    if (test(dir)) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

const isInside = (dir: string, root: string): boolean => {
  const r = path.relative(root, dir);
  return r === '' || (!r.startsWith('..') && !path.isAbsolute(r));
};

/** Where cluster-bench is installed for a directory: a node_modules/cluster-bench above it, or this package when the directory is inside it. */
function installedFor(dir: string): string | undefined {
  const root = path.resolve(PACKAGE_ROOT);
  if (isInside(dir, root)) return root;
  const found = findUp(dir, (d) => existsSync(path.join(d, 'node_modules', 'cluster-bench', 'package.json')));
  return found === undefined ? undefined : path.join(found, 'node_modules', 'cluster-bench');
}

/** The repository URL in package.json, when there is one (it is how `npm install git+URL` works). */
function repositoryUrl(): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { repository?: string | { url?: string } };
    const url = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
    return typeof url === 'string' && url !== '' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The commands that put cluster-bench into the user's project. It is not on the npm
 * registry, so `npm install cluster-bench` would fail: from a checkout (the usual case
 * today) a tarball of it; with a repository URL in package.json, that git URL (npm builds
 * it through `prepare`).
 */
function installCommands(cwd: string, projectRoot: string): string[] {
  const cd = projectRoot === cwd ? '' : `cd ${shellWord(relative(cwd, projectRoot))} && `;
  const url = repositoryUrl();
  const checkout = existsSync(path.join(PACKAGE_ROOT, 'src')) || existsSync(path.join(PACKAGE_ROOT, '.git'));
  if (checkout) {
    const tarball = `cluster-bench-${TOOL_VERSION}.tgz`;
    const lines = [`${cd}npm pack ${shellWord(path.resolve(PACKAGE_ROOT))} && npm install --save-dev ./${tarball}`];
    if (url !== undefined) lines.push(`or: ${cd}npm install --save-dev ${url.startsWith('git') || url.startsWith('github:') ? url : `git+${url}`}`);
    return lines;
  }
  if (url !== undefined) return [`${cd}npm install --save-dev ${url.startsWith('git') || url.startsWith('github:') ? url : `git+${url}`}`];
  return [`${cd}npm install --save-dev <the cluster-bench tarball or git URL you installed it from>   (see docs/plugins.md)`];
}

function render(template: string, values: Record<string, string>): string {
  const text = readFileSync(path.join(TEMPLATES_DIR, template), 'utf8');
  const out = text.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`templates/${template}: no value for ${whole}`);
    return value;
  });
  return out;
}

/** What `new` would write, and what it would print; touches nothing. */
export function planScaffold(cwd: string, dir: string, flags: NewFlags): Scaffold {
  const kind = flags.provider ?? 'llm';
  const target = path.resolve(cwd, dir);
  if (existsSync(target) && !statSync(target).isDirectory()) throw badInput(`${dir}: exists and is not a directory`);

  const installedAt = installedFor(target);
  const projectRoot = findUp(target, (d) => existsSync(path.join(d, 'package.json'))) ?? cwd;
  // The schema as the project will see it: in its node_modules once installed (the
  // relative line then keeps working for everyone who clones the project).
  const schemaFile =
    installedAt === undefined
      ? path.join(projectRoot, 'node_modules', 'cluster-bench', SCENARIO_SCHEMA_PATH)
      : installedAt === path.resolve(PACKAGE_ROOT)
        ? SCENARIO_SCHEMA_FILE
        : path.join(installedAt, SCENARIO_SCHEMA_PATH);

  const scenarioFile = path.join(target, 'scenario.yaml');
  const moduleName = `my-${kind}.mjs`;
  const run = `npx cluster-bench run ${shellWord(relative(cwd, scenarioFile))}`;
  const name = scenarioName(target);

  const files: PlannedFile[] = [
    {
      file: scenarioFile,
      shown: relative(cwd, scenarioFile),
      content: render(`scenario-${kind}.yaml`, { schema: relative(target, schemaFile), name, run }),
      what: 'the scenario: phases, load and targets (an editor completes and checks it)',
    },
    {
      file: path.join(target, moduleName),
      shown: relative(cwd, path.join(target, moduleName)),
      content: render(`my-${kind}.mjs`, {}),
      what: `your ${KIND_WORDS[kind].provider}: ${KIND_WORDS[kind].edit}`,
    },
  ];

  if (flags.ci === 'github') {
    // GitHub reads workflows at the repository root; without a git repository, the project's.
    const repoRoot = findUp(target, (d) => existsSync(path.join(d, '.git'))) ?? projectRoot;
    const project = relative(repoRoot, projectRoot);
    const workflow = path.join(repoRoot, '.github', 'workflows', 'cluster-bench.yml');
    files.push({
      file: workflow,
      shown: relative(cwd, workflow),
      content: render('github-workflow.yml', {
        scenario: shellWord(relative(projectRoot, scenarioFile)),
        project,
        projectPrefix: project === '.' ? '' : `${project}/`,
      }),
      what: 'CI: benchmarks main, fails a pull request that is significantly slower',
    });
  }

  return { kind, files, run, install: installedAt === undefined ? installCommands(cwd, projectRoot) : undefined, installedAt };
}

/** Creates `file` with `content` only if it does not exist, never leaving half a file. */
function createExclusive(file: string, content: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`);
  writeFileSync(tmp, content, { flag: 'wx' });
  try {
    linkSync(tmp, file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw e;
    // A file system without hard links: an exclusive create is the next best thing.
    writeFileSync(file, content, { flag: 'wx' });
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** A path exists, even as a dangling symbolic link (which writing would follow). */
function present(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

export function writeScaffold(scaffold: Scaffold): void {
  const existing = scaffold.files.filter((f) => present(f.file)).map((f) => f.shown);
  if (existing.length > 0) {
    throw badInput(
      `${existing.join(', ')}: already exist${existing.length === 1 ? 's' : ''}; cluster-bench new never overwrites a file (nothing was written: choose another directory, or move ${existing.length === 1 ? 'it' : 'them'} away)`,
    );
  }
  const written: string[] = [];
  try {
    for (const f of scaffold.files) {
      mkdirSync(path.dirname(f.file), { recursive: true });
      createExclusive(f.file, f.content);
      written.push(f.file);
    }
  } catch (e) {
    // All or nothing: a scaffold missing one of its files would not run.
    for (const file of written) rmSync(file, { force: true });
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    const failed = scaffold.files[written.length]?.shown ?? '?';
    if (code === 'EEXIST') throw badInput(`${failed}: appeared while writing; cluster-bench new never overwrites a file (nothing was written)`);
    throw new CliError(`${failed}: cannot write the file (${code}); nothing was written`, ExitCode.RUN_FAILED);
  }
}

export function renderNextSteps(scaffold: Scaffold, cwd: string): string {
  const width = Math.max(...scaffold.files.map((f) => f.shown.length));
  const lines = [`Wrote a benchmark of your own ${KIND_WORDS[scaffold.kind].provider}:`];
  for (const f of scaffold.files) lines.push(`  ${f.shown.padEnd(width)}  ${f.what}`);
  lines.push('', 'Next:');
  let step = 1;
  if (scaffold.install !== undefined) {
    lines.push(`  ${step++}. Install cluster-bench into your project (it is not on the npm registry yet; docs/plugins.md):`);
    for (const l of scaffold.install) lines.push(`       ${l}`);
  } else if (scaffold.installedAt === path.resolve(PACKAGE_ROOT) && !scaffold.installedAt.split(path.sep).includes('node_modules')) {
    lines.push(`  ${step++}. This is cluster-bench's own package (${relative(cwd, scaffold.installedAt)}): nothing to install.`);
  } else if (scaffold.installedAt !== undefined) {
    lines.push(`  ${step++}. cluster-bench is installed (${relative(cwd, scaffold.installedAt)}): nothing to install.`);
  }
  lines.push(`  ${step++}. Run it as written (it exits 0 when every target is met):`, `       ${scaffold.run}`);
  const plugin = scaffold.files[1] as PlannedFile;
  lines.push(`  ${step++}. Edit ${plugin.shown}: ${KIND_WORDS[scaffold.kind].edit}; run it again.`);
  if (scaffold.files.length > 2) lines.push(`  ${step}. Commit ${(scaffold.files[2] as PlannedFile).shown} with package.json and package-lock.json.`);
  return lines.join('\n') + '\n';
}

export function newCommand(io: CliProcess, dir: string, flags: NewFlags): number {
  const scaffold = planScaffold(io.cwd, dir, flags);
  writeScaffold(scaffold);
  io.stdout.write(renderNextSteps(scaffold, io.cwd));
  return ExitCode.OK;
}
