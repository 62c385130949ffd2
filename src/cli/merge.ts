/**
 * `cluster-bench merge <files…|dir>`: joins the shard files of one run (`run --shard i/N`
 * on many machines) into one normal result, judges its targets and gates on them. The
 * output is an ordinary result: `report`, `compare` and `run --baseline` read it unchanged.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, badInput } from '../errors.js';
import { jsonRenderer } from '../report/json.js';
import { tableRenderer } from '../report/table.js';
import { mergeShards, type ShardFile } from '../results/shard.js';
import { commandLine } from './command-line.js';
import { parseWhole } from './options.js';
import { readResultFile, useColor, writeFileAtomic } from './io.js';
import { resolvePath, type CliProcess } from './process.js';
import { MAX_SHARDS } from './scale-out.js';
import { TOOL_VERSION } from './version.js';

export interface MergeFlags {
  expectShards?: string;
  allowPartial?: boolean;
  out?: string;
  json?: boolean;
  strict?: boolean;
}

/** Files as given; a directory stands for the .json files directly in it. */
function expand(io: CliProcess, inputs: readonly string[]): string[] {
  const files: string[] = [];
  for (const input of inputs) {
    let isDir = false;
    try {
      isDir = statSync(resolvePath(io, input)).isDirectory();
    } catch {
      // Not there: readResultFile says so, naming it.
    }
    if (!isDir) {
      files.push(input);
      continue;
    }
    const found = readdirSync(resolvePath(io, input))
      .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
      .sort()
      .map((f) => path.join(input, f));
    if (found.length === 0) throw badInput(`${input}: no .json files in the directory`);
    files.push(...found);
  }
  return [...new Set(files)];
}

export function mergeCommand(io: CliProcess, inputs: string[], flags: MergeFlags): number {
  const expectShards = flags.expectShards === undefined ? undefined : parseWhole(flags.expectShards, '--expect-shards', 1, MAX_SHARDS);
  const shards: ShardFile[] = expand(io, inputs).map((file) => ({ file, result: readResultFile(io, file, { shards: true }) }));
  const result = mergeShards(shards, {
    ...(expectShards !== undefined ? { expectShards } : {}),
    allowPartial: flags.allowPartial === true,
    strict: flags.strict === true,
    toolVersion: TOOL_VERSION,
    command: commandLine(io.argv),
  });
  const json = jsonRenderer.render(result, { color: false });
  if (flags.out !== undefined) writeFileAtomic(io, flags.out, json);
  const human = flags.json ? io.stderr : io.stdout;
  human.write(tableRenderer.render(result, { color: useColor(human, io.env) }));
  if (flags.out !== undefined) io.stderr.write(`merged result written to ${flags.out}\n`);
  if (flags.json) io.stdout.write(json);
  return result.gate.passed ? ExitCode.OK : ExitCode.TARGET_MISSED;
}
