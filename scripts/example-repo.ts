/**
 * Makes the examples deployable without a network: a folder as a local git repository at a
 * tag (what a connector's `repository {url, tag}` names), or as a zip (what an upload takes).
 *
 *   npm run -s example:repo -- <dir> [--tag v1.0.0] [--out <repo dir>]   # prints the file:// URL only
 *   npm run example:repo -- --zip <dir> <out.zip>                         # entries relative to <dir>
 *
 * The repository is made in a fresh folder under the OS temp dir unless `--out` names one; an
 * `--out` that already holds a repository made here gets the folder's content as a new commit
 * and tag (a new connector version). Progress goes to stderr, so `REPO=$(npm run -s …)` works.
 * git runs without the user's or the system's configuration, with its own name and email.
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type Zippable, zipSync } from 'fflate';

const usage = `Usage: npm run -s example:repo -- <dir> [--tag v1.0.0] [--out <repo dir>]
       npm run example:repo -- --zip <dir> <out.zip>`;

const fail = (message: string): never => {
  process.stderr.write(`${message}\n${usage}\n`);
  process.exit(1);
};

/** What is never copied or zipped: installed packages and version control. */
const SKIPPED = new Set(['node_modules', '.git']);

const say = (message: string) => process.stderr.write(`${message}\n`);
const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** npm runs scripts in the package root; paths on the command line are the caller's. */
const fromCaller = (path: string) => resolve(process.env.INIT_CWD ?? process.cwd(), path);

/** Every file under `dir` (relative paths, `/`-separated); symbolic links are refused, as the artifact checks would. */
const filesOf = (dir: string, prefix = ''): string[] =>
  readdirSync(join(dir, prefix), { withFileTypes: true })
    .filter((entry) => !SKIPPED.has(entry.name))
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isSymbolicLink())
        throw new Error(`${join(dir, path)} is a symbolic link: replace it with a file.`);
      if (entry.isDirectory()) return filesOf(dir, path);
      return entry.isFile() ? [path] : [];
    });

const sourceDir = (path: string | undefined): string => {
  if (!path) return fail('Name the folder to use.');
  const dir = fromCaller(path);
  if (!existsSync(dir) || !lstatSync(dir).isDirectory()) fail(`${dir} is not a folder.`);
  return dir;
};

/**
 * The zip of a folder, entries relative to it, as an upload takes it (also used by
 * `scripts/smoke.ts`). Throws on a symbolic link or an empty folder.
 */
export const zipOfFolder = (dir: string): { bytes: Uint8Array; files: number } => {
  const files: Zippable = {};
  for (const file of filesOf(dir)) {
    // Unix permissions travel with the entry (an executable script stays executable).
    const mode = lstatSync(join(dir, file)).mode & 0o777;
    files[file] = [readFileSync(join(dir, file)), { os: 3, attrs: (0o100000 | mode) << 16 }];
  }
  if (Object.keys(files).length === 0) throw new Error(`${dir} holds no files.`);
  return { bytes: zipSync(files, { level: 9 }), files: Object.keys(files).length };
};

const zipFolder = (dirArg: string | undefined, outArg: string | undefined) => {
  const dir = sourceDir(dirArg);
  if (!outArg) return fail('Name the zip file to write.');
  const out = fromCaller(outArg);
  if (out.startsWith(`${dir}${sep}`)) fail('Write the zip outside the folder it zips.');
  const { bytes, files } = zipOfFolder(dir);
  writeFileSync(out, bytes);
  say(`Wrote ${out}: ${plural(files, 'file')}, ${bytes.length} bytes`);
};

const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
};
const IDENTITY = ['-c', 'user.name=Slipway examples', '-c', 'user.email=examples@slipway.invalid'];

const git = (cwd: string, ...args: string[]): string => {
  try {
    return execFileSync('git', [...IDENTITY, ...args], {
      cwd,
      env: GIT_ENV,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const { stderr, code } = error as { stderr?: string; code?: string };
    if (code === 'ENOENT') return fail('git is not installed: it is needed to make a repository.');
    return fail(`git ${args.join(' ')} failed: ${stderr?.trim() || (error as Error).message}`);
  }
};

/** Where the repository goes: a fresh folder, or `--out` (empty, absent, or a repository made here before). */
const repositoryDir = (dir: string, outArg: string | undefined): string => {
  if (outArg === undefined) return join(mkdtempSync(join(tmpdir(), 'slipway-example-')), basename(dir));
  const out = fromCaller(outArg);
  if (out === dir || out.startsWith(`${dir}${sep}`) || dir.startsWith(`${out}${sep}`))
    fail('--out must be outside the folder it copies.');
  if (existsSync(out) && readdirSync(out).length > 0 && !existsSync(join(out, '.git')))
    fail(`${out} is neither empty nor a git repository.`);
  return out;
};

const makeRepository = (dirArg: string | undefined, tag: string, outArg: string | undefined) => {
  const dir = sourceDir(dirArg);
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(tag) || tag.includes('..') || tag.endsWith('.lock'))
    fail(`'${tag}' is not a tag name this script makes (letters, digits, '.', '_', '-', '/').`);
  const files = filesOf(dir);
  if (files.length === 0) fail(`${dir} holds no files.`);
  const repo = repositoryDir(dir, outArg);
  mkdirSync(repo, { recursive: true });
  const fresh = !existsSync(join(repo, '.git'));
  if (fresh) git(repo, 'init', '--quiet', '--initial-branch=main');
  else if (git(repo, 'tag', '--list', tag).trim() !== '') fail(`${repo} already has the tag ${tag}.`);
  // The commit is exactly the folder: what an earlier commit had and the folder lost goes.
  for (const entry of readdirSync(repo)) if (entry !== '.git') rmSync(join(repo, entry), { recursive: true });
  for (const file of files) {
    mkdirSync(dirname(join(repo, file)), { recursive: true });
    cpSync(join(dir, file), join(repo, file));
  }
  git(repo, 'add', '--all');
  git(repo, 'commit', '--quiet', '--allow-empty', '-m', `${basename(dir)} ${tag}`);
  git(repo, 'tag', tag);
  say(
    `${fresh ? 'Made' : 'Updated'} ${repo} from ${relative(process.cwd(), dir) || dir}: ${plural(files.length, 'file')}, tag ${tag}`,
  );
  process.stdout.write(`${pathToFileURL(repo).href}\n`);
};

const parse = () => {
  try {
    return parseArgs({
      options: {
        tag: { type: 'string', default: 'v1.0.0' },
        out: { type: 'string' },
        zip: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    return fail((error as Error).message);
  }
};
const main = () => {
  const { values, positionals } = parse();
  if (values.help) {
    process.stdout.write(`${usage}\n`);
  } else if (values.zip) {
    if (positionals.length !== 2) fail('--zip takes a folder and the zip file to write.');
    zipFolder(positionals[0], positionals[1]);
  } else {
    if (positionals.length !== 1) fail('Name exactly one folder.');
    makeRepository(positionals[0], values.tag, values.out);
  }
};

// Run as a command, not when imported for `zipOfFolder`.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    fail((error as Error).message);
  }
}
