import fs from 'node:fs';
import type { Command } from 'commander';
import { exclusionProblem, parseSize, type Exclusion } from '../engine/archiver/exclusion.js';

/** The exclusion flags `coffer vault backup` and `coffer configs create/edit` share (restic's are the model). */
export interface ExclusionFlags {
  exclude?: string[];
  iexclude?: string[];
  excludeFile?: string[];
  iexcludeFile?: string[];
  excludeIfPresent?: string[];
  excludeCaches?: boolean;
  excludeLargerThan?: string;
  oneFileSystem?: boolean;
}

/** Repeatable, and comma-separated outside braces and brackets (so `*.{jpg,png}` stays one pattern). */
function collectPatterns(value: string, previous: string[] = []): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of value) {
    if (char === '{' || char === '[') depth++;
    else if ((char === '}' || char === ']') && depth > 0) depth--;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return [...previous, ...parts.map((p) => p.trim()).filter((p) => p !== '')];
}

function collectOne(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Adds the flags. `pathsToo`: `--exclude` also takes the Cloud Backup path items (`file:/path`, `folder:/path`,
 * or an absolute path without glob characters = a folder), as configurations always have.
 */
export function addExclusionFlags(command: Command, options: { pathsToo: boolean; patternFiles: boolean; negations: boolean }): Command {
  command
    .option(
      '--exclude <pattern>',
      options.pathsToo
        ? 'leave out: a glob pattern (*.log, **/node_modules, /srv/www/cache/**), an absolute folder, or file:/path (repeatable or comma-separated)'
        : 'leave out what matches this glob pattern: *.log, **/node_modules, /srv/www/cache/** (a pattern without a leading / matches at any depth; repeatable)',
      options.pathsToo ? collectPatterns : collectOne,
    )
    .option('--iexclude <pattern>', 'like --exclude, ignoring upper and lower case (repeatable)', options.pathsToo ? collectPatterns : collectOne);
  if (options.patternFiles) {
    command
      .option('--exclude-file <file>', 'read --exclude patterns from a file, one per line (# comments, blank lines ignored; repeatable)', collectOne)
      .option('--iexclude-file <file>', 'like --exclude-file, ignoring case (repeatable)', collectOne);
  }
  command
    .option('--exclude-if-present <name>', 'leave out every folder that holds an entry of this name, e.g. .nobackup (repeatable)', collectOne)
    .option('--exclude-caches', 'leave out folders tagged as caches (a CACHEDIR.TAG file with the standard signature)')
    .option('--exclude-larger-than <size>', 'leave out files larger than this (bytes, or with K, M, G, T: 500M)')
    .option('--one-file-system', 'stay on the file system of each backed-up path (mount points below it are kept, empty)');
  if (options.negations) {
    command.option('--no-exclude-caches', 'stop leaving out cache folders').option('--no-one-file-system', 'cross into other file systems again');
  }
  return command;
}

/** Whether any exclusion flag was given (a configuration edit then changes its exclusions). */
export function hasExclusionFlags(flags: ExclusionFlags): boolean {
  return (
    flags.exclude !== undefined ||
    flags.iexclude !== undefined ||
    flags.excludeIfPresent !== undefined ||
    flags.excludeCaches !== undefined ||
    flags.excludeLargerThan !== undefined ||
    flags.oneFileSystem !== undefined
  );
}

type Fail = new (message: string) => Error;

/**
 * The exclusions the flags describe. With `current` (a configuration being edited), each kind of exclusion the
 * flags do not mention is kept as it was: `--exclude`/`--iexclude` replace the paths and patterns,
 * `--exclude-if-present` the markers, and so on.
 */
export function exclusionsFromFlags(flags: ExclusionFlags, fail: Fail, options: { pathsToo: boolean; current?: Exclusion[] }): Exclusion[] {
  const current = options.current ?? [];
  const keep = (types: string[], given: boolean) => (given ? [] : current.filter((item) => types.includes(item.type)));
  const patterns = [...(flags.exclude ?? []), ...readPatternFiles(flags.excludeFile, fail)];
  const ipatterns = [...(flags.iexclude ?? []), ...readPatternFiles(flags.iexcludeFile, fail)];
  const out: Exclusion[] = [
    ...keep(['file', 'folder', 'pattern'], flags.exclude !== undefined || flags.iexclude !== undefined),
    ...patterns.map((text) => (options.pathsToo ? pathOrPattern(text) : { type: 'pattern' as const, path: text })),
    ...ipatterns.map((text) => ({ type: 'pattern' as const, path: text.replace(/^pattern:/, ''), ignore_case: true })),
    ...keep(['if_present'], flags.excludeIfPresent !== undefined),
    ...(flags.excludeIfPresent ?? []).map((name) => ({ type: 'if_present' as const, path: name })),
  ];
  const caches = flags.excludeCaches ?? current.some((item) => item.type === 'caches');
  if (caches) out.push({ type: 'caches' });
  if (flags.excludeLargerThan !== undefined) {
    if (!/^(none|off)$/i.test(flags.excludeLargerThan)) {
      const size = parseSize(flags.excludeLargerThan);
      if (size === undefined) throw new fail(`--exclude-larger-than ${JSON.stringify(flags.excludeLargerThan)} is not a size (bytes, or with K, M, G, T: 500M)`);
      out.push({ type: 'larger_than', size });
    }
  } else out.push(...keep(['larger_than'], false));
  if (flags.oneFileSystem ?? current.some((item) => item.type === 'other_file_systems')) out.push({ type: 'other_file_systems' });
  for (const item of out) {
    const bad = exclusionProblem(item);
    if (bad) throw new fail(`${item.type === 'pattern' && !item.ignore_case ? '--exclude ' : ''}${describeExclusion(item)}: ${bad.problem}`);
  }
  return out;
}

/** `file:/p` and `folder:/p` as written; an absolute path without glob characters is a folder; the rest a pattern. */
function pathOrPattern(text: string): Exclusion {
  if (text.startsWith('file:')) return { type: 'file', path: text.slice('file:'.length) };
  if (text.startsWith('folder:')) return folder(text.slice('folder:'.length));
  if (text.startsWith('pattern:')) return { type: 'pattern', path: text.slice('pattern:'.length) };
  if (text.startsWith('/') && !/[*?[\]{}!()]/.test(text)) return folder(text);
  return { type: 'pattern', path: text };
}

function folder(path: string): Exclusion {
  return { type: 'folder', path: path.endsWith('/') || path.endsWith('\\') ? path : `${path}/` };
}

function readPatternFiles(files: string[] | undefined, fail: Fail): string[] {
  const patterns: string[] = [];
  for (const file of files ?? []) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new fail(`cannot read the pattern file ${file}: ${(err as Error).message}`);
    }
    for (const line of text.split(/\r?\n/)) {
      const pattern = line.trim();
      if (pattern !== '' && !pattern.startsWith('#')) patterns.push(pattern);
    }
  }
  return patterns;
}

/** One exclusion as the flags spell it, for messages and listings. */
export function describeExclusion(item: { type: string; path?: string; ignore_case?: boolean; size?: number }): string {
  switch (item.type) {
    case 'file':
      return `file:${item.path}`;
    case 'folder':
      return item.path ?? '';
    case 'pattern':
      return `${item.ignore_case ? '--iexclude ' : ''}${item.path}`;
    case 'if_present':
      return `--exclude-if-present ${item.path}`;
    case 'caches':
      return '--exclude-caches';
    case 'larger_than':
      return `--exclude-larger-than ${item.size}`;
    case 'other_file_systems':
      return '--one-file-system';
    default:
      return item.type;
  }
}
