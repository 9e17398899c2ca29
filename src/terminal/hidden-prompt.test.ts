import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promptHidden } from './hidden-prompt.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PYTHON = process.env.COFFER_TEST_PYTHON || '/usr/bin/python3';

/** A program that asks once and says what it got (or why not) on stderr. */
const ASKER = `import('./src/terminal/hidden-prompt.ts').then((m) => m.promptHidden('Secret: ', 'no terminal here'))
  .then((answer) => process.stderr.write('GOT[' + answer + ']'), (error) => process.stderr.write('ERR[' + error.message + ']'));`;

/**
 * Runs ASKER on a real pseudo-terminal (Python's pty module): waits for the question, types `keys`, and returns
 * everything the terminal showed.
 */
function onTerminal(keys: string): string {
  const driver = `
import os, pty, sys, select
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], '--import', 'tsx', '-e', sys.argv[2]])
shown = b''
typed = False
while True:
    ready, _, _ = select.select([fd], [], [], 20)
    if not ready:
        break
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    shown += chunk
    if not typed and b'Secret: ' in shown:
        os.write(fd, sys.argv[3].encode())
        typed = True
os.waitpid(pid, 0)
sys.stdout.write(shown.decode(errors='replace'))
`;
  const run = spawnSync(PYTHON, ['-c', driver, process.execPath, ASKER, keys], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

describe('the hidden prompt', { timeout: 120_000 }, () => {
  it('reads a line on a terminal without showing what is typed', () => {
    const shown = onTerminal('hunter2\r');
    assert.match(shown, /Secret: /);
    assert.match(shown, /GOT\[hunter2\]/);
    assert.equal(shown.split('hunter2').length, 2, `the secret is shown only where the program printed it:\n${shown}`);
  });

  it('Ctrl-C at the prompt refuses', () => {
    assert.match(onTerminal('hun\u0003'), /ERR\[cancelled at the prompt\]/);
  });

  it('off a terminal it refuses with the reason it is given, asking nothing', async () => {
    assert.equal(process.stdin.isTTY, undefined, 'the tests run without a terminal on stdin');
    await assert.rejects(promptHidden('Secret: ', 'set COFFER_SECRET'), { message: 'set COFFER_SECRET' });
  });
});
