/**
 * The rules of the layout (DESIGN.md "What may import what"), checked over every source file:
 * nothing imports the CLI, only the CLI sees its errors and exit codes, only src/metrics touches
 * hdr-histogram-js, and only the CLI touches the process. A violation names file and line.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const README = fileURLToPath(new URL('../README.md', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

interface Use {
  /** Relative to src/, with forward slashes: "report/markdown.ts". */
  file: string;
  line: number;
  /** What is imported: a path relative to src/ ("cli/io.ts") or a package name. */
  target: string;
}

// Static imports and re-exports (`from '...'`, `import '...'`) and dynamic `import('...')`.
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

function importsOf(file: string): Use[] {
  const text = readFileSync(file, 'utf8');
  const rel = path.relative(SRC, file).split(path.sep).join('/');
  const uses: Use[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1]!;
    const line = text.slice(0, m.index).split('\n').length;
    const target = spec.startsWith('.')
      ? path.relative(SRC, path.resolve(path.dirname(file), spec)).split(path.sep).join('/').replace(/\.js$/, '.ts')
      : spec;
    uses.push({ file: rel, line, target });
  }
  return uses;
}

const FILES = sourceFiles(SRC);
const USES = FILES.flatMap(importsOf);
const where = (u: Use): string => `src/${u.file}:${u.line} imports ${u.target}`;
const inCli = (file: string): boolean => file.startsWith('cli/');

describe('layout rules', () => {
  it('reads the imports it checks', () => {
    // A parser that found nothing would pass every rule below.
    expect(FILES.length).toBeGreaterThan(50);
    expect(USES.some((u) => u.file === 'cli/main.ts' && u.target === 'commander')).toBe(true);
    expect(USES.some((u) => u.file === 'metrics/histogram.ts' && u.target === 'hdr-histogram-js')).toBe(true);
    expect(USES.some((u) => u.file === 'report/registry.ts' && u.target === 'report/markdown.ts')).toBe(true);
  });

  it('nothing outside src/cli imports src/cli', () => {
    expect(USES.filter((u) => !inCli(u.file) && u.target.startsWith('cli/')).map(where)).toEqual([]);
  });

  it("nothing outside src/cli imports the CLI's errors and exit codes (src/errors.ts)", () => {
    expect(USES.filter((u) => !inCli(u.file) && u.target === 'errors.ts').map(where)).toEqual([]);
  });

  it('only src/metrics imports hdr-histogram-js', () => {
    expect(USES.filter((u) => u.target.startsWith('hdr-histogram-js') && !u.file.startsWith('metrics/')).map(where)).toEqual([]);
  });

  it('no process.exit, process.argv or console outside src/cli', () => {
    const found = FILES.flatMap((file) => {
      const rel = path.relative(SRC, file).split(path.sep).join('/');
      if (inCli(rel)) return [];
      return readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((text, i) => (/\bprocess\.(exit|argv)\b|\bconsole\./.test(text) ? [`src/${rel}:${i + 1}: ${text.trim()}`] : []));
    });
    expect(found).toEqual([]);
  });

  it("README's Layout lists every folder under src/, and only those", () => {
    const readme = readFileSync(README, 'utf8');
    const block = /## Layout\n\n```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const listed = [...block.matchAll(/^(src\/[\w/-]+\/)\s+\S/gm)].map((m) => m[1]!).sort();
    const folders = (dir: string): string[] =>
      readdirSync(dir)
        .filter((name) => statSync(path.join(dir, name)).isDirectory())
        .flatMap((name) => [path.join(dir, name), ...folders(path.join(dir, name))]);
    const actual = folders(SRC).map((d) => `src/${path.relative(SRC, d).split(path.sep).join('/')}/`).sort();
    expect(listed).toEqual(actual);
  });
});
