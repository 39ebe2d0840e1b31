/**
 * A folder as the zip an upload takes: every file under it, minus what `.gitignore` and
 * `.slipwayignore` files (at any depth, each for its own folder) exclude, and always minus
 * `.git` and `node_modules` (a build installs dependencies itself). Checked here against the
 * limits the server would refuse later, so a bad folder fails before anything is sent.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type Zippable, zipSync } from 'fflate';
import ignore, { type Ignore } from 'ignore';
import { CliError, EXIT, usageError } from './errors.ts';
import { formatBytes } from './output.ts';

/** The server's artifact checks (docs/connect-api.md, "Artifact checks"). */
export const ARTIFACT_LIMITS = { entries: 10_000, unpackedBytes: 512 * 1024 * 1024 };

const ALWAYS_IGNORED = ['.git/', 'node_modules/', '.DS_Store'];
const IGNORE_FILES = ['.gitignore', '.slipwayignore'];

export interface Packed {
  zip: Uint8Array;
  /** The files in it, relative to the folder, `/`-separated. */
  files: string[];
  unpackedBytes: number;
  /** base64, as `POST /uploads` takes `sha256`. */
  sha256: string;
}

interface Rules {
  base: string;
  ig: Ignore;
}

const rulesOf = (root: string, dir: string): Rules | undefined => {
  const files = IGNORE_FILES.map((f) => join(dir, f)).filter((f) => existsSync(f));
  if (files.length === 0) return undefined;
  const ig = ignore();
  // One text at a time: given an array, `add` takes each element as a single pattern.
  for (const file of files) ig.add(readFileSync(file, 'utf8'));
  return { base: relative(root, dir), ig };
};

/**
 * Runs one file-system call on `path` (relative to `root`), turning its failure (EACCES, a
 * file gone meanwhile) into an error that names the file rather than a stack trace.
 */
const onFile = <T>(root: string, path: string, read: (full: string) => T): T => {
  try {
    return read(join(root, path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new CliError(
      `Cannot read ${path || '.'} in ${root} (${code}).`,
      EXIT.failed,
      'Check its permissions, or leave it out with .slipwayignore.',
    );
  }
};

/** As git decides: the deepest ignore file with a say wins (a `!pattern` there re-includes). */
const ignoredBy = (rules: Rules[], path: string, isDir: boolean) => {
  for (const { base, ig } of [...rules].reverse()) {
    const rel = base ? path.slice(base.length + 1) : path;
    const { ignored, unignored } = ig.test(isDir ? `${rel}/` : rel);
    if (ignored || unignored) return ignored;
  }
  return false;
};

/** The files of `root` that are packed, relative and `/`-separated, in a stable order. */
export const packedFiles = (root: string): string[] => {
  const always = ignore().add(ALWAYS_IGNORED);
  const out: string[] = [];
  const walk = (dir: string, inherited: Rules[]) => {
    const own = rulesOf(root, dir);
    const rules = own ? [...inherited, own] : inherited;
    const entries = onFile(root, relative(root, dir), (full) => readdirSync(full, { withFileTypes: true }));
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(dir, entry.name);
      const path = relative(root, full).split('\\').join('/');
      const isDir = entry.isDirectory();
      if (always.ignores(isDir ? `${path}/` : path) || ignoredBy(rules, path, isDir)) continue;
      if (entry.isSymbolicLink())
        throw usageError(
          `${path} is a symbolic link: an artifact cannot hold links.`,
          'Replace it with the file it points to, or add it to .slipwayignore.',
        );
      if (isDir) walk(full, rules);
      else if (entry.isFile()) out.push(path);
    }
  };
  walk(root, []);
  return out;
};

/**
 * Zips `root` (which must hold `required`, when given) with every entry under `prefix`
 * (`output/` for a Catalyst bundle). Refuses what the server would refuse: too many entries,
 * too many bytes unpacked, or a zip over `maxBytes`.
 */
export const packFolder = (
  root: string,
  options: { required?: string; prefix?: string; maxBytes?: number } = {},
): Packed => {
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw usageError(`${root} is not a folder.`, 'Name the folder to deploy (default: the current one).');
  if (options.required && !existsSync(join(root, options.required)))
    throw usageError(
      `${root} holds no ${options.required}.`,
      `Deploy the folder whose root has the ${options.required} describing its applications.`,
    );
  const files = packedFiles(root);
  if (files.length > ARTIFACT_LIMITS.entries)
    throw new CliError(
      `${root} has ${files.length} files to pack; an artifact may hold ${ARTIFACT_LIMITS.entries}.`,
      EXIT.failed,
      'Leave out what the build does not need (.slipwayignore takes .gitignore patterns).',
    );
  // Sizes first: an over-limit folder is refused before a byte of it is held in memory.
  const stats = files.map((file) => onFile(root, file, (full) => lstatSync(full)));
  const unpackedBytes = stats.reduce((sum, stat) => sum + stat.size, 0);
  if (unpackedBytes > ARTIFACT_LIMITS.unpackedBytes)
    throw new CliError(
      `${root} holds ${formatBytes(unpackedBytes)} to pack; an artifact may unpack to ${formatBytes(ARTIFACT_LIMITS.unpackedBytes)}.`,
      EXIT.failed,
      'Leave out what the build does not need (.slipwayignore takes .gitignore patterns).',
    );
  const entries: Zippable = {};
  files.forEach((file, i) => {
    const bytes = onFile(root, file, (full) => readFileSync(full));
    // Mode bits kept (executable scripts stay executable); 0o100000 marks a regular file.
    const mode = (stats[i]?.mode ?? 0o644) & 0o777;
    entries[`${options.prefix ?? ''}${file}`] = [bytes, { os: 3, attrs: ((0o100000 | mode) << 16) >>> 0 }];
  });
  const zip = zipSync(entries, { level: 6 });
  if (options.maxBytes !== undefined && zip.length > options.maxBytes)
    throw tooLarge(root, zip.length, options.maxBytes);
  return { zip, files, unpackedBytes, sha256: createHash('sha256').update(zip).digest('base64') };
};

/** The refusal of a folder whose zip is over the server's upload limit. */
export const tooLarge = (root: string, size: number, maxBytes: number) =>
  new CliError(
    `${root} packs to ${formatBytes(size)}; the server takes uploads of at most ${formatBytes(maxBytes)}. Nothing was uploaded.`,
    EXIT.failed,
    'Leave out what the build does not need (.slipwayignore takes .gitignore patterns).',
  );
