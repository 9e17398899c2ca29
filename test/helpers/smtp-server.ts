import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Debian's python with python3-aiosmtpd (`.ci/run` installs it); COFFER_TEST_PYTHON overrides. */
const PYTHON = process.env.COFFER_TEST_PYTHON || '/usr/bin/python3';

/**
 * Why SMTP tests cannot run here, or false when they can. With COFFER_REQUIRE_SMTP=1 (CI) a missing aiosmtpd is an
 * error, so the tests fail instead of skipping.
 */
export function smtpUnavailable(): string | false {
  const probe = spawnSync(PYTHON, ['-c', 'import aiosmtpd'], { stdio: 'ignore' });
  if (probe.status === 0) return false;
  const reason = `${PYTHON} cannot import aiosmtpd (apt-get install python3-aiosmtpd)`;
  if (process.env.COFFER_REQUIRE_SMTP === '1') throw new Error(`COFFER_REQUIRE_SMTP=1 but ${reason}`);
  return reason;
}

export interface ReceivedMail {
  to: string;
  subject: string;
  deliveryId: string;
  body: string;
  raw: string;
}

export interface SmtpServer {
  port: number;
  url: string;
  /** Every message received so far (aiosmtpd's Maildir handler writes one file per message). */
  messages(): ReceivedMail[];
  /** Waits until `count` messages matching `filter` arrived; returns them. */
  waitFor(count: number, filter?: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail[]>;
  stop(): Promise<void>;
  /** Starts again on the same port and Maildir. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Orders Maildir files by arrival. Python's Maildir names a file `<seconds>.M<microseconds>P<pid>Q<count>.<host>` with
 * the microseconds unpadded, so a plain name sort puts M99999 after M123456 within one second.
 */
function byArrival(a: string, b: string): number {
  const key = (file: string) => (/^(\d+)\.M(\d+)P\d+Q(\d+)/.exec(path.basename(file)) ?? []).slice(1).map(Number);
  const [ka, kb] = [key(a), key(b)];
  for (let i = 0; i < 3; i++) if ((ka[i] ?? 0) !== (kb[i] ?? 0)) return (ka[i] ?? 0) - (kb[i] ?? 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`SMTP server did not listen on ${port} in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function headerValue(headers: string, name: string): string {
  const match = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(headers);
  return match ? match[1]!.replace(/\r?\n[ \t]+/g, ' ').trim() : '';
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=` / `=?UTF-8?B?…?=`), as nodemailer writes non-ASCII or long subjects. */
function decodeWords(text: string): string {
  return text.replace(/\?=\s+=\?/g, '?==?').replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _charset: string, encoding: string, data: string) =>
    encoding.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64').toString('utf8')
      : Buffer.from(
          data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_x, hex: string) => String.fromCharCode(parseInt(hex, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

function decodeBody(body: string, encoding: string): string {
  if (/quoted-printable/i.test(encoding)) {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_x, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  if (/base64/i.test(encoding)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

function parseMail(raw: string): ReceivedMail {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : decodeBody(raw.slice(split).replace(/^\r?\n\r?\n/, ''), headerValue(headers, 'Content-Transfer-Encoding'));
  return { to: headerValue(headers, 'To'), subject: decodeWords(headerValue(headers, 'Subject')), deliveryId: headerValue(headers, 'X-Coffer-Delivery-Id'), body, raw };
}

/** aiosmtpd with the Maildir handler, on a free loopback port, in a throwaway folder. */
export async function startSmtpServer(): Promise<SmtpServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-smtp-'));
  const maildir = path.join(dir, 'Maildir');
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(PYTHON, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir], { stdio: 'ignore' });
    await waitForPort(port, 10_000);
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };
  const messages = () => {
    const files: string[] = [];
    for (const sub of ['new', 'cur']) {
      const folder = path.join(maildir, sub);
      if (fs.existsSync(folder)) for (const name of fs.readdirSync(folder)) files.push(path.join(folder, name));
    }
    return files.sort(byArrival).map((file) => parseMail(fs.readFileSync(file, 'utf8')));
  };
  await start();
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async waitFor(count, filter = () => true, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages().filter(filter);
        if (found.length >= count) return found;
        if (Date.now() > deadline) throw new Error(`expected ${count} message(s) within ${timeoutMs} ms, got ${found.length}: ${found.map((m) => `${m.to} ${m.subject}`).join('; ')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop,
    start,
    async close() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
