import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';

/**
 * Command groups that live in modules built alongside the client (`coffer vault`, `coffer agent`): registered when
 * the module is part of this build, so a build without them still has every other command.
 */
export async function registerOptionalCommands(program: Command, modules: { specifier: string; exportName: string }[]): Promise<void> {
  for (const { specifier, exportName } of modules) {
    const url = new URL(specifier, import.meta.url);
    const file = fileURLToPath(url);
    if (!fs.existsSync(file) && !fs.existsSync(file.replace(/\.js$/, '.ts'))) continue;
    const loaded = (await import(url.href)) as Record<string, unknown>;
    const register = loaded[exportName];
    if (typeof register === 'function') (register as (program: Command) => void)(program);
  }
}
