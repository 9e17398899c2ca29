/**
 * The one rule for a directory entry's name, wherever a name comes from outside (a vault's tree, an agent's
 * listing): it must be exactly one path component. Anything else could make a restore or a listing step out of
 * the directory it is in.
 */
export function entryNameProblem(name: Buffer): string | undefined {
  if (name.length === 0) return 'the name is empty';
  if (name.length === 1 && name[0] === 0x2e) return 'the name "." is not allowed';
  if (name.length === 2 && name[0] === 0x2e && name[1] === 0x2e) return 'the name ".." is not allowed';
  if (name.includes(0x2f)) return 'the name contains "/"';
  if (name.includes(0x00)) return 'the name contains a NUL byte';
  return undefined;
}

/** A name as text for messages: control characters escaped, so a hostile name cannot forge output lines. */
export function printableName(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
