// Exclusions as the configuration form shows them: one per line, spelled like the CLI's flags.
//   /srv/www/cache        a folder (an absolute path without glob characters; it must be under an included folder)
//   file:/srv/a.jpg       a file
//   *.log, **/node_modules, /srv/*/tmp, pattern:TEXT    a glob pattern
//   ignore-case:*.TMP     a pattern matched ignoring case
//   if-present:.nobackup  folders holding that name
//   exclude-caches        folders tagged with CACHEDIR.TAG
//   larger-than:500M      files larger than that (bytes, or K, M, G, T)
//   one-file-system       stay on the file system of each included folder

const UNITS = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

function size(text) {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  return m ? Math.floor(Number(m[1]) * UNITS[m[2].toLowerCase()]) : Number.NaN;
}

export function exclusionToText(item) {
  switch (item.type) {
    case 'file':
      return `file:${item.path}`;
    case 'folder':
      return item.path;
    case 'pattern':
      if (item.ignore_case) return `ignore-case:${item.path}`;
      return item.path.startsWith('/') && !/[*?[\]{}!()]/.test(item.path) ? `pattern:${item.path}` : item.path;
    case 'if_present':
      return `if-present:${item.path}`;
    case 'caches':
      return 'exclude-caches';
    case 'larger_than':
      return `larger-than:${item.size}`;
    case 'other_file_systems':
      return 'one-file-system';
    default:
      return JSON.stringify(item);
  }
}

export function textToExclusion(line) {
  if (line.startsWith('file:')) return { type: 'file', path: line.slice(5) };
  if (line.startsWith('folder:')) return folder(line.slice(7));
  if (line.startsWith('pattern:')) return { type: 'pattern', path: line.slice(8) };
  if (line.startsWith('ignore-case:')) return { type: 'pattern', path: line.slice(12), ignore_case: true };
  if (line.startsWith('if-present:')) return { type: 'if_present', path: line.slice(11) };
  if (line.startsWith('larger-than:')) return { type: 'larger_than', size: size(line.slice(12)) };
  if (line === 'exclude-caches') return { type: 'caches' };
  if (line === 'one-file-system') return { type: 'other_file_systems' };
  if (line.startsWith('/') && !/[*?[\]{}!()]/.test(line)) return folder(line);
  return { type: 'pattern', path: line };
}

function folder(path) {
  return { type: 'folder', path: path.endsWith('/') ? path : `${path}/` };
}

export const exclusionsToText = (items) => (items ?? []).map(exclusionToText).join('\n');
export const textToExclusions = (text) =>
  String(text)
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map(textToExclusion);
