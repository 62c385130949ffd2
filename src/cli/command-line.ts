/** The command line as a shell would take it back: the "reproduce" line of results and reports. */
export function commandLine(argv: readonly string[]): string {
  return ['cluster-bench', ...argv].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(' ');
}
