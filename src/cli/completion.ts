/**
 * `cluster-bench completion bash|zsh`: shell completion scripts generated from the
 * commander program itself (its commands, their options and arguments, the choices they
 * declare) plus the built-in scenario names, so a command or flag added to main.ts is
 * completed without touching this file. The scripts are static: a Tab never starts Node.js.
 *
 * How an argument is completed follows from how it is declared: declared choices
 * (`.choices([...])`) complete to those words; a value or argument named like a file
 * (`<file>`, `<result...>`, `<baseline>`) to paths, `<dir>` to directories, `<scenario...>` to
 * the built-in names and scenario files; anything else (`<n>`, `<d>`) to nothing.
 */
import type { Argument, Command, Option } from 'commander';
import { listBuiltins } from '../scenarios/builtin.js';

export type Shell = 'bash' | 'zsh';
export const SHELLS: readonly Shell[] = ['bash', 'zsh'];

/** What a value completes to. */
export type ValueKind = { kind: 'words'; words: string[] } | { kind: 'files'; ext?: string[] } | { kind: 'dirs' } | { kind: 'scenarios' } | { kind: 'commands' } | { kind: 'none' };

export interface OptionSpec {
  /** -o, --out */
  names: string[];
  description: string;
  /** undefined: a flag without a value. */
  value?: ValueKind;
}

export interface CommandSpec {
  name: string;
  description: string;
  options: OptionSpec[];
  /** What positional arguments complete to. */
  args: ValueKind[];
  /** The last argument repeats (`<scenario...>`). */
  variadic: boolean;
}

export interface ProgramSpec {
  name: string;
  options: OptionSpec[];
  commands: CommandSpec[];
  scenarios: string[];
}

const SCENARIO_EXT = ['yaml', 'yml', 'json'];

/** How a value called `name` completes, when it declares no choices. */
function kindByName(name: string): ValueKind {
  const n = name.toLowerCase();
  if (n.startsWith('scenario')) return { kind: 'scenarios' };
  if (n === 'dir' || n.endsWith('dir') || n === 'directory') return { kind: 'dirs' };
  if (n === 'command') return { kind: 'commands' };
  if (n === 'result' || n === 'baseline' || n === 'current' || n === 'shards') return { kind: 'files', ext: ['json'] };
  if (n === 'file' || n.endsWith('file') || n === 'path') return { kind: 'files' };
  return { kind: 'none' };
}

function optionSpec(o: Option): OptionSpec {
  const names = [o.short, o.long].filter((n): n is string => typeof n === 'string');
  if (!o.required && !o.optional) return { names, description: o.description };
  const choices = o.argChoices;
  if (choices !== undefined && choices.length > 0) return { names, description: o.description, value: { kind: 'words', words: [...choices] } };
  const valueName = /[<[]([^>\]]+?)(?:\.\.\.)?[>\]]/.exec(o.flags)?.[1] ?? '';
  return { names, description: o.description, value: kindByName(valueName) };
}

function argumentKind(a: Argument): ValueKind {
  const choices = a.argChoices;
  if (choices !== undefined && choices.length > 0) return { kind: 'words', words: [...choices] };
  return kindByName(a.name());
}

/** Reads commands, options and arguments off the program, as its own help shows them. */
export function describeProgram(program: Command): ProgramSpec {
  const help = program.createHelp();
  const commands = help.visibleCommands(program).map((c): CommandSpec => {
    const h = c.createHelp();
    // All declared arguments: the help lists them only when one has a description.
    const args = c.registeredArguments;
    return {
      name: c.name(),
      description: c.description(),
      options: h.visibleOptions(c).map(optionSpec),
      args: args.map(argumentKind),
      variadic: args[args.length - 1]?.variadic === true,
    };
  });
  return {
    name: program.name(),
    options: help.visibleOptions(program).map(optionSpec),
    commands,
    scenarios: [...listBuiltins().map((b) => b.name), 'all'],
  };
}

// ---------------------------------------------------------------------------------------
// bash
// ---------------------------------------------------------------------------------------

/** A word list for compgen -W, single-quoted. */
const bashWords = (words: readonly string[]): string => `'${words.join(' ').replace(/'/g, `'\\''`)}'`;

function bashValue(v: ValueKind, spec: ProgramSpec): string {
  switch (v.kind) {
    case 'words':
      return `COMPREPLY=($(compgen -W ${bashWords(v.words)} -- "$cur"))`;
    case 'files':
      return `_cluster_bench_paths "$cur" ${v.ext === undefined ? "''" : bashWords(v.ext)}`;
    case 'dirs':
      return `_cluster_bench_dirs "$cur"`;
    case 'scenarios':
      return `COMPREPLY=($(compgen -W ${bashWords(spec.scenarios)} -- "$cur")); _cluster_bench_paths "$cur" ${bashWords(SCENARIO_EXT)}`;
    case 'commands':
      return `COMPREPLY=($(compgen -W ${bashWords(spec.commands.map((c) => c.name))} -- "$cur"))`;
    case 'none':
      return ':';
  }
}

const fn = (name: string): string => `_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;

export function bashScript(spec: ProgramSpec, version: string): string {
  const f = fn(spec.name);
  const commandCases = spec.commands.map((c) => {
    const valued = c.options.filter((o) => o.value !== undefined);
    const prevCases = valued.map((o) => `        ${o.names.join('|')}) ${bashValue(o.value as ValueKind, spec)}; return 0 ;;`);
    const flags = c.options.flatMap((o) => o.names);
    // Several positional arguments: pick by position (options and their values excluded).
    const positional =
      c.args.length <= 1
        ? `      ${c.args[0] === undefined ? ':' : bashValue(c.args[0], spec)}`
        : [
            `      case $(${f}_position ${bashWords(valued.flatMap((o) => o.names))}) in`,
            ...c.args.map((a, i) => `        ${i === c.args.length - 1 && c.variadic ? '*' : String(i)}) ${bashValue(a, spec)} ;;`),
            '      esac',
          ].join('\n');
    return [
      `    ${c.name})`,
      ...(prevCases.length > 0 ? ['      case $prev in', ...prevCases, '      esac'] : []),
      `      if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W ${bashWords(flags)} -- "$cur")); return 0; fi`,
      positional,
      '      ;;',
    ].join('\n');
  });
  return `# bash completion for ${spec.name} ${version}: commands, flags, built-in scenarios, files.
# Generated by \`${spec.name} completion bash\` from the program's own definition.
# This shell:   source <(${spec.name} completion bash)
# Every shell:  ${spec.name} completion bash > ~/.local/share/bash-completion/completions/${spec.name}
#               (or add the first line to ~/.bashrc)

# Paths starting with $1; files only with one of the extensions in $2 (space-separated; '' = any).
${f}_paths() {
  local p e
  while IFS= read -r p; do
    if [[ -d $p ]]; then
      COMPREPLY+=("$p")
    elif [[ -z $2 ]]; then
      COMPREPLY+=("$p")
    else
      for e in $2; do [[ $p == *.$e ]] && COMPREPLY+=("$p") && break; done
    fi
  done < <(compgen -f -- "$1")
  # Directories get their slash and names their escaping; only possible inside a completion.
  compopt -o filenames 2>/dev/null
  return 0
}

${f}_dirs() {
  COMPREPLY+=($(compgen -d -- "$1"))
  compopt -o filenames 2>/dev/null
  return 0
}

# Index of the word being completed among the command's positional arguments; $1 lists the
# options that take a value (their values are not positional).
${f}_position() {
  local i n=0 w skip=0
  for ((i = cmd_index + 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    if ((skip)); then skip=0; continue; fi
    case " $1 " in *" $w "*) skip=1; continue ;; esac
    [[ $w == -* ]] || ((n++))
  done
  echo "$n"
}

${f}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local cmd='' cmd_index=0 i
  COMPREPLY=()
  # The command is the first word that is not an option (top-level options take no value).
  for ((i = 1; i < COMP_CWORD; i++)); do
    if [[ \${COMP_WORDS[i]} != -* ]]; then
      cmd=\${COMP_WORDS[i]}
      cmd_index=$i
      break
    fi
  done
  if [[ -z $cmd ]]; then
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W ${bashWords(spec.options.flatMap((o) => o.names))} -- "$cur"))
    else
      COMPREPLY=($(compgen -W ${bashWords(spec.commands.map((c) => c.name))} -- "$cur"))
    fi
    return 0
  fi
  case $cmd in
${commandCases.join('\n')}
  esac
  return 0
}

complete -F ${f} ${spec.name}
`;
}

// ---------------------------------------------------------------------------------------
// zsh
// ---------------------------------------------------------------------------------------

/** Text inside a single-quoted zsh word. */
const zq = (s: string): string => s.replace(/'/g, `'\\''`);
/** A description inside an _arguments [...] spec: brackets and colons escaped, one line. */
const zdesc = (s: string): string => zq(s.replace(/\s+/g, ' ').replace(/([\\[\]:])/g, '\\$1'));

/** "*.json", or "*.(yaml|yml|json)": a lone "(json)" at the end would be read as glob qualifiers. */
const zshGlob = (ext: readonly string[]): string => (ext.length === 1 ? `*.${ext[0]}` : `*.(${ext.join('|')})`);

function zshAction(v: ValueKind, spec: ProgramSpec): string {
  switch (v.kind) {
    case 'words':
      return `(${v.words.join(' ')})`;
    case 'files':
      return v.ext === undefined ? '_files' : `_files -g "${zshGlob(v.ext)}"`;
    case 'dirs':
      return '_files -/';
    case 'scenarios':
      return `_${spec.name}_scenarios`;
    case 'commands':
      return `(${spec.commands.map((c) => c.name).join(' ')})`;
    case 'none':
      return ' ';
  }
}

function zshOption(o: OptionSpec, spec: ProgramSpec): string {
  const desc = `[${zdesc(o.description)}]`;
  const value = o.value === undefined ? '' : `:${o.names[o.names.length - 1]?.replace(/^-+/, '') ?? 'value'}:${zq(zshAction(o.value, spec))}`;
  if (o.names.length === 1) return `'${o.names[0]}${desc}${value}'`;
  // Either spelling excludes the other: '(-o --out)'{-o,--out}'[...]:...'
  return `'(${o.names.join(' ')})'{${o.names.join(',')}}'${desc}${value}'`;
}

export function zshScript(spec: ProgramSpec, version: string): string {
  const f = `_${spec.name}`;
  const commands = spec.commands.map((c) => `    '${zq(c.name.replace(/:/g, '\\:'))}:${zq(c.description.replace(/\s+/g, ' '))}'`);
  const cases = spec.commands.map((c) => {
    const args = c.args.map((a, i) => {
      const repeats = i === c.args.length - 1 && c.variadic;
      return `'${repeats ? '*' : String(i + 1)}:argument ${i + 1}:${zq(zshAction(a, spec))}'`;
    });
    const specs = [...c.options.map((o) => zshOption(o, spec)), ...args];
    return [`        ${c.name})`, `          _arguments -s \\`, ...specs.map((s, i) => `            ${s}${i < specs.length - 1 ? ' \\' : ''}`), '          ;;'].join('\n');
  });
  return `#compdef ${spec.name}
# zsh completion for ${spec.name} ${version}: commands, flags, built-in scenarios, files.
# Generated by \`${spec.name} completion zsh\` from the program's own definition.
# This shell (after compinit):  source <(${spec.name} completion zsh)
# Every shell:                  ${spec.name} completion zsh > "\${fpath[1]}/_${spec.name}"

${f}_scenarios() {
  local -a names
  names=(${spec.scenarios.join(' ')})
  _alternative 'scenarios:built-in scenario:compadd -a names' 'files:scenario file:_files -g "${zshGlob(SCENARIO_EXT)}"'
}

${f}() {
  local curcontext="$curcontext" state line
  typeset -A opt_args
  local -a commands
  commands=(
${commands.join('\n')}
  )
  _arguments -C \\
${spec.options.map((o) => `    ${zshOption(o, spec)} \\`).join('\n')}
    '1:command:->command' \\
    '*::argument:->argument' && return
  case $state in
    command)
      _describe -t commands '${spec.name} command' commands
      ;;
    argument)
      curcontext="\${curcontext%:*:*}:${spec.name}-$line[1]:"
      case $line[1] in
${cases.join('\n')}
      esac
      ;;
  esac
}

# Sourced: register. Autoloaded from $fpath: this file is the function; run it.
if [[ $funcstack[1] == ${f} ]]; then
  ${f} "$@"
else
  compdef ${f} ${spec.name}
fi
`;
}

export function completionScript(program: Command, shell: Shell, version: string): string {
  const spec = describeProgram(program);
  return shell === 'bash' ? bashScript(spec, version) : zshScript(spec, version);
}
