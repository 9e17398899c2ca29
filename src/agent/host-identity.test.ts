import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { osNameAndVersion, parseOsRelease } from './host-identity.js';

test('os-release: quoted and bare values, escapes, comments and blank lines', { timeout: 10_000 }, () => {
  const text = '# a comment\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\nPRETTY_NAME=\'Debian \\"x\\"\'\n\n';
  assert.deepEqual(parseOsRelease(text), { NAME: 'Debian GNU/Linux', VERSION_ID: '12', VERSION: '12 (bookworm)', ID: 'debian', PRETTY_NAME: 'Debian "x"' });
});

test('the agent names the distribution and its version, not the kernel', { timeout: 10_000 }, () => {
  const files: Record<string, string> = { '/etc/os-release': 'NAME="Ubuntu"\nVERSION_ID="24.04"\n' };
  const read = (file: string) => {
    const text = files[file];
    if (text === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    return text;
  };
  assert.deepEqual(osNameAndVersion(read), { name: 'Ubuntu', version: '24.04' });
  // Arch Linux has no VERSION_ID: its BUILD_ID stands in; /usr/lib/os-release when /etc has none.
  assert.deepEqual(
    osNameAndVersion((file) => (file === '/usr/lib/os-release' ? 'NAME="Arch Linux"\nBUILD_ID=rolling\n' : read('/nowhere'))),
    { name: 'Arch Linux', version: 'rolling' },
  );
  // This machine's own file, read for real.
  const own = parseOsRelease(fs.readFileSync('/etc/os-release', 'utf8'));
  assert.equal(osNameAndVersion().name, own.NAME);
  assert.equal(osNameAndVersion().version, own.VERSION_ID ?? own.VERSION ?? own.BUILD_ID ?? '');
});
