// The S3 endpoint the agent benchmark backs up to: the one in COFFER_TEST_S3_ENDPOINT / _ACCESS_KEY / _SECRET_KEY
// when set, otherwise a private single-node Ceph RADOS Gateway started with .ci/ceph.sh (as CI does) and stopped
// by `stop()`. Undefined, with the reason printed, when neither is possible (Ceph not installed and not root).
import { spawn } from 'node:child_process';
import readline from 'node:readline';

export interface BenchS3 {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

export async function benchS3(root: string): Promise<BenchS3 | undefined> {
  const { COFFER_TEST_S3_ENDPOINT: endpoint, COFFER_TEST_S3_ACCESS_KEY: accessKeyId, COFFER_TEST_S3_SECRET_KEY: secretAccessKey } = process.env;
  if (endpoint && accessKeyId && secretAccessKey) return { endpoint, accessKeyId, secretAccessKey, stop: async () => {} };
  const script = [
    'source .ci/ceph.sh',
    'trap stop_ceph EXIT',
    'trap "exit 0" TERM',
    'start_ceph >&2 || exit 1',
    'echo "S3 $COFFER_TEST_S3_ENDPOINT $COFFER_TEST_S3_ACCESS_KEY $COFFER_TEST_S3_SECRET_KEY"',
    'while :; do sleep 1; done',
  ].join('\n');
  // 1 GiB of backup fits twice over in the in-memory OSD.
  const ceph = spawn('bash', ['-c', script], { cwd: root, env: { ...process.env, CEPH_MEMSTORE_BYTES: String(4 * 2 ** 30) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  ceph.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => ceph.on('exit', resolve));
  const line = await new Promise<string | undefined>((resolve) => {
    readline.createInterface({ input: ceph.stdout }).on('line', (text) => text.startsWith('S3 ') && resolve(text));
    void exited.then(() => resolve(undefined));
  });
  if (!line) {
    process.stdout.write(`  no S3 endpoint: .ci/ceph.sh could not start Ceph (${log.trim().split('\n').pop() ?? 'no output'}); the S3 column is left out\n`);
    return undefined;
  }
  const [, url, key, secret] = line.split(' ');
  return {
    endpoint: url!,
    accessKeyId: key!,
    secretAccessKey: secret!,
    async stop() {
      ceph.kill('SIGTERM');
      await exited;
    },
  };
}
