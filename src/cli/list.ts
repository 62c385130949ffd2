import { ALL_EXCLUDES, listBuiltins } from '../scenarios/builtin.js';

export function listCommand(json: boolean): string {
  const items = listBuiltins();
  if (json) return JSON.stringify(items.map(({ name, description, file }) => ({ name, description, file, inAll: !ALL_EXCLUDES.has(name) })), null, 2) + '\n';
  const width = Math.max(...items.map((i) => i.name.length));
  const lines = items.map((i) => `  ${i.name.padEnd(width)}  ${i.description}${ALL_EXCLUDES.has(i.name) ? ' (not in "all")' : ''}`);
  return `Built-in scenarios (run one with: cluster-bench run NAME; "all" runs every one but soak):\n${lines.join('\n')}\n`;
}
