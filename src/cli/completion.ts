/**
 * `kairos completion bash|zsh`: prints a shell completion script built from the program's
 * own command tree (commands, their options and option choices), so it never falls out of
 * step with the CLI. Install: `source <(kairos completion bash)`, or for zsh
 * `kairos completion zsh > "${fpath[1]}/_kairos"`.
 */
import { Argument, type Command } from 'commander';

/** Command name → the words that may follow it: argument choices and long options. */
export function commandTable(program: Command): Map<string, string[]> {
  const table = new Map<string, string[]>();
  for (const c of program.commands) {
    const choices = c.registeredArguments.flatMap((a) => a.argChoices ?? []);
    table.set(c.name(), [...choices, ...c.options.map((o) => o.long).filter((l): l is string => !!l), '--help']);
  }
  return table;
}

/** A bash script: completes the command name, then its options (and `completion`'s shells). */
export function bashScript(program: Command): string {
  const table = commandTable(program);
  const cases = [...table].map(([name, opts]) => `    ${name}) words="${opts.join(' ')}" ;;`).join('\n');
  return `# kairos completion for bash: source <(kairos completion bash)
_kairos() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" words
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${[...table.keys()].join(' ')} --help" -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _kairos kairos
`;
}

/** A zsh script (`#compdef kairos`) with the same table. */
export function zshScript(program: Command): string {
  const table = commandTable(program);
  const describe = program.commands.map((c) => `    '${c.name()}:${c.description().replace(/[':]/g, ' ')}'`).join('\n');
  const cases = [...table].map(([name, opts]) => `    ${name}) _values 'option' ${opts.map((o) => `'${o}'`).join(' ')} ;;`).join('\n');
  return `#compdef kairos
# kairos completion for zsh: kairos completion zsh > "\${fpath[1]}/_kairos"
_kairos() {
  local -a commands
  commands=(
${describe}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case "\${words[2]}" in
${cases}
  esac
}
if [ "$funcstack[1]" = "_kairos" ]; then _kairos "$@"; else compdef _kairos kairos; fi
`;
}

/** Registers `kairos completion`. */
export function register(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action((shell: 'bash' | 'zsh') => {
      process.stdout.write(shell === 'bash' ? bashScript(program) : zshScript(program));
    });
}
