/**
 * `cluster-bench schema`: the JSON Schema of scenario files, generated from the zod schema
 * the loader uses (src/scenarios/json-schema.ts). `--path` prints where the package keeps
 * the same schema as a file, for a `# yaml-language-server: $schema=...` line.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError, ExitCode } from '../errors.js';
import { SCENARIO_SCHEMA_PATH, scenarioJsonSchemaText } from '../scenarios/json-schema.js';

/** The package root, from src/cli or dist/cli alike. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Absolute path of the schema file the build writes into the package. */
export const SCENARIO_SCHEMA_FILE = path.join(PACKAGE_ROOT, SCENARIO_SCHEMA_PATH);

export function schemaCommand(opts: { path?: boolean }): string {
  if (opts.path !== true) return scenarioJsonSchemaText();
  if (!existsSync(SCENARIO_SCHEMA_FILE)) {
    throw new CliError(`${SCENARIO_SCHEMA_FILE}: not built yet: run \`npm run build\` in ${PACKAGE_ROOT}`, ExitCode.RUN_FAILED);
  }
  return SCENARIO_SCHEMA_FILE + '\n';
}
