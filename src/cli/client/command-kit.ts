import { InvalidArgumentError, type Command } from 'commander';

export interface GlobalOptions {
  json: boolean;
}

/** Options given on the program (`--json`) as seen from any subcommand. */
export function globalOptions(command: Command): GlobalOptions {
  const all = command.optsWithGlobals() as { json?: boolean };
  return { json: Boolean(all.json) };
}

/** Adds an "Examples:" block to a command's --help. */
export function examples(command: Command, ...lines: string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`);
}

/** Commander collects repeated options into an array with this. */
export function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== ''),
  ];
}

export function positiveInteger(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`${name} must be a positive integer.`);
    return Number(value);
  };
}

export function nonNegativeInteger(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number of 0 or more.`);
    return Number(value);
  };
}
