import { Command, CommanderError } from 'commander';
import { UsageError } from './cli/client/errors.js';
import { examples } from './cli/client/command-kit.js';
import { registerClientCommands } from './cli/index.js';
import { cofferVersion } from './version.js';

/** The first word that is not an option: the command being run (`coffer --json agents` → agents). */
function commandWord(args: readonly string[]): string | undefined {
  return args.find((arg, index) => !arg.startsWith('-') && args[index - 1] !== '--ca');
}

/** The commands that live outside the API client, each loaded only when it runs (or help lists everything). */
const LOCAL_COMMANDS: Record<string, () => Promise<(program: Command) => void>> = {
  serve: async () => (await import('./cli/serve.js')).registerServeCommand,
  agent: async () => (await import('./agent/index.js')).registerAgentCommands,
  vault: async () => (await import('./cli/vault/index.js')).registerVaultCommands,
  server: async () => (await import('./cli/server-data/index.js')).registerServerDataCommands,
  storage: async () => (await import('./cli/storage.js')).registerStorageCommands,
};

/**
 * The whole program. The server, the agent and the vault engine are loaded only when their command runs (or help
 * lists everything), so `coffer agents` does not load the server, and `coffer vault backup` loads the engine alone.
 */
export async function buildProgram(args: readonly string[] = []): Promise<Command> {
  const program = new Command();
  program
    .name('coffer')
    .description('Coffer: self-hosted backups. Server, agent, vault engine and command line in one program.')
    .version(cofferVersion(), '-V, --version', 'print the version')
    .option('--json', "print the API's JSON instead of tables (for scripts)")
    .option('--ca <file>', "trust this CA certificate (PEM) for the server's HTTPS, besides the system's (env COFFER_CA_FILE)")
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError();
  examples(program, 'coffer login --api http://localhost:8080 --user admin', 'coffer agents', 'coffer backup start "Web files" --watch', 'coffer COMMAND --help');
  program.hook('preAction', async () => {
    const caFile = (program.opts() as { ca?: string }).ca ?? process.env.COFFER_CA_FILE;
    // Loaded only when needed: the HTTP client library is big, and most runs trust the system's CAs alone.
    if (caFile) (await import('./net/tls-trust.js')).trustCaFile(caFile);
  });
  registerClientCommands(program);
  const word = commandWord(args);
  const clientCommand = word !== undefined && program.commands.some((command) => command.name() === word);
  if (!clientCommand) {
    const wanted = word !== undefined && word in LOCAL_COMMANDS ? [word] : Object.keys(LOCAL_COMMANDS);
    for (const register of await Promise.all(wanted.map((name) => LOCAL_COMMANDS[name]!()))) register(program);
  }
  for (const command of allCommands(program)) command.exitOverride();
  return program;
}

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

/** Exit codes: 0 done, 1 the server or the job said no, 2 the command was typed wrong. Errors are one line. */
async function main(argv: string[]): Promise<void> {
  // `coffer … | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  const program = await buildProgram(argv.slice(2));
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    const message = (error as Error)?.message ?? String(error);
    process.stderr.write(`coffer: ${message.split('\n')[0]}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  }
}

await main(process.argv);
