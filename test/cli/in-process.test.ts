import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { runInProcess } from '../helpers/in-process.js';

describe('the CLI in-process, against its process edge', () => {
  it('prints the version on the given stdout and exits 0', async () => {
    const r = await runInProcess(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(r.stderr).toBe('');
  });

  it('an unknown scenario is exit 2 with one line on the given stderr', async () => {
    const r = await runInProcess(['run', 'no-such-scenario']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('unknown scenario "no-such-scenario"');
  });

  it('resolves relative paths and reports/ against the given working directory, not process.cwd()', async () => {
    const cwd = tempDir();
    writeFileSync(
      path.join(cwd, 'tiny.yaml'),
      'name: tiny\ndescription: one noop\nphases:\n  - name: n\n    op: noop\n    executor: { type: iterations, iterations: 10 }\n',
    );
    const r = await runInProcess(['run', 'tiny.yaml', '--seed', '7', '--out', 'r.json'], { cwd });
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(cwd, 'r.json'), 'utf8')).seed).toBe(7);
    expect(existsSync(path.join(cwd, 'reports', 'latest.md'))).toBe(true);
    expect(r.stderr).toContain('result written to r.json');
  });
});
