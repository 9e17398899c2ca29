import readline from 'node:readline';
import { Writable } from 'node:stream';

/**
 * Asks `question` on stderr and reads one line from the terminal without echoing it: passwords and API keys, for
 * the CLI, `coffer vault` and `coffer agent register`. Off a terminal it refuses with `noTerminal` (which says where
 * else the secret can come from); Ctrl-C at the prompt refuses too.
 */
export function promptHidden(question: string, noTerminal: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) return Promise.reject(new Error(noTerminal));
  // The question is shown; what readline would echo after it (the typed characters) is not.
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = readline.createInterface({ input, output, terminal: true });
  return new Promise((resolve, reject) => {
    rl.on('SIGINT', () => {
      rl.close();
      process.stderr.write('\n');
      reject(new Error('cancelled at the prompt'));
    });
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}
