import os from 'node:os';
import type { Environment } from '../results/types.js';

/**
 * What the machine is, for reports and for refusing to compare apples with oranges. `env` is
 * the environment the run sees (the CLI's, which may not be this process's).
 */
export function describeEnvironment(extra: { gitCommit?: string; env?: Readonly<Record<string, string | undefined>> } = {}): Environment {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()}`,
    arch: process.arch,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    memoryBytes: os.totalmem(),
    hostname: os.hostname(),
    ...(extra.gitCommit ? { gitCommit: extra.gitCommit } : {}),
    ci: Boolean((extra.env ?? process.env)['CI']),
  };
}
