import fs from 'node:fs';
import path from 'node:path';

/**
 * Everything about a directory and what is below it (not following symlinks) that a restore must not change when
 * it is outside the restore's target: names, types, modes, owners, and times including ctime (which any chmod,
 * chown or utimes moves, even to the same values).
 */
export function describeOutside(dir: string, skip: string[] = []): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (p: string) => {
    if (skip.includes(p)) return;
    const st = fs.lstatSync(p, { bigint: true });
    out.set(path.relative(dir, p) || '.', `${st.mode.toString(8)} ${st.uid}:${st.gid} m${st.mtimeNs} c${st.ctimeNs} ${st.size}`);
    if (st.isDirectory()) for (const name of fs.readdirSync(p).sort()) visit(path.join(p, name));
  };
  visit(dir);
  return out;
}
