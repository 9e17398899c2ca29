import type { Command } from 'commander';
import { examples } from '../client/command-kit.js';
import { UsageError } from '../client/errors.js';

interface Node {
  path: string;
  words: string[];
}

/** Every command path (` agents`, ` agents show`) with the words that may follow it: subcommands and options. */
function commandTree(program: Command): Node[] {
  const nodes: Node[] = [];
  const visit = (command: Command, path: string, inherited: string[]) => {
    const own = command.options.flatMap((option) => [option.long, option.short].filter((flag): flag is string => Boolean(flag)));
    const subcommands = command.commands.map((sub) => sub.name()).filter((name) => name !== 'help');
    nodes.push({ path, words: [...subcommands, ...own, ...inherited, '--help'] });
    for (const sub of command.commands) visit(sub, `${path} ${sub.name()}`, path === '' ? own : inherited);
  };
  visit(program, '', []);
  return nodes;
}

export function bashCompletion(program: Command): string {
  const nodes = commandTree(program);
  const known = nodes
    .filter((n) => n.path !== '')
    .map((n) => `"${n.path}"`)
    .join('|');
  const cases = nodes.map((n) => `    "${n.path}") words="${[...new Set(n.words)].join(' ')}" ;;`).join('\n');
  return `# coffer completion for bash: source <(coffer completion bash)
_coffer() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" words="" w i
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$path $w" in
      ${known}) path="$path $w" ;;
    esac
  done
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _coffer coffer
`;
}

export function zshCompletion(program: Command): string {
  return `#compdef coffer
# coffer completion for zsh: source <(coffer completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(program).split('\n').slice(1).join('\n')}`;
}

export function registerCompletionCommand(program: Command): void {
  const completion = program
    .command('completion')
    .description('Print a shell completion script for bash or zsh')
    .argument('<shell>', 'bash or zsh')
    .action((shell: string) => {
      if (shell === 'bash') return void process.stdout.write(bashCompletion(program));
      if (shell === 'zsh') return void process.stdout.write(zshCompletion(program));
      throw new UsageError(`completion is available for bash and zsh, not "${shell}"`);
    });
  examples(completion, 'source <(coffer completion bash)      # in ~/.bashrc', 'source <(coffer completion zsh)       # in ~/.zshrc');
}
