import { createRequire } from 'node:module';

/** The package's version, read once for --version, results and the calibration cache. */
export const TOOL_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
