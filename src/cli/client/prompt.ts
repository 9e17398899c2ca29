import readline from 'node:readline';

/** Reads a line from the terminal without echoing it; `variable` names where the answer can come from instead. */
export function promptHidden(question: string, variable = 'COFFER_PASSWORD'): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) return Promise.reject(new Error(`no terminal to ask for a password on; set ${variable}`));
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input, output: process.stderr, terminal: true });
    const output = rl as unknown as { _writeToOutput: (text: string) => void };
    let asked = false;
    output._writeToOutput = (text: string) => {
      if (!asked) {
        process.stderr.write(text);
        asked = true;
      }
    };
    rl.question(question, (answer) => {
      process.stderr.write('\n');
      rl.close();
      resolve(answer);
    });
    rl.on('SIGINT', () => {
      rl.close();
      reject(new Error('cancelled'));
    });
  });
}

/** The password from COFFER_PASSWORD, else asked for on the terminal. */
export async function passwordFor(user: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.COFFER_PASSWORD !== undefined && env.COFFER_PASSWORD !== '') return env.COFFER_PASSWORD;
  return promptHidden(`Password for ${user}: `);
}
