import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { fetchFailureObjectKey } from '../core/connectors/actions.ts';
import type { LocalBuildProject } from './codebuild-local.ts';

const run = promisify(execFile);

/** Created on first use: the local stack sets the S3 endpoint before any build runs. */
let s3: S3Client | undefined;
const client = () => {
  s3 ??= new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED' });
  return s3;
};

/** The project name the publish workflow's `FetchGitSource` state is given locally. */
export const FETCH_SOURCE_PROJECT = 'slipway-fetch-source';

const GIT_OUTPUT_MAX = 64 * 1024;

/**
 * git without the user's or the system's configuration (no hooks, credential helpers or
 * rewrites of theirs), never prompting, and only over https, http and file.
 */
const GIT_ENV = {
  GIT_TERMINAL_PROMPT: '0',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};
const GIT_CONFIG = [
  '-c',
  'protocol.allow=never',
  '-c',
  'protocol.https.allow=always',
  '-c',
  'protocol.http.allow=always',
  '-c',
  'protocol.file.allow=always',
  // A redirect could lead a public-looking URL to a host the fetcher should not reach.
  '-c',
  'http.followRedirects=false',
];

const required = (env: Record<string, string>, name: string): string => {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

/**
 * The fetch-source build, locally: `git clone --depth 1 --branch <tag>`, then `git archive`
 * of the checkout (symbolic links stay links, so the artifact checks see them) into the
 * artifacts bucket at ARCHIVE_KEY. A clone that fails is not a build failure: git's message
 * goes to `<ARCHIVE_KEY>.error` for the workflow to report as GitRepositoryNotReachable.
 */
export const fetchSourceProject =
  (options: { bucket: string; workDir: string; timeoutMs?: number }): LocalBuildProject =>
  async (env) => {
    const url = required(env, 'REPOSITORY_URL');
    const tag = required(env, 'REPOSITORY_TAG');
    const key = required(env, 'ARCHIVE_KEY');
    await mkdir(options.workDir, { recursive: true });
    const dir = await mkdtemp(join(options.workDir, 'fetch-'));
    const gitOptions = {
      cwd: dir,
      env: { ...process.env, ...GIT_ENV },
      timeout: options.timeoutMs ?? 300_000,
      maxBuffer: GIT_OUTPUT_MAX,
    };
    try {
      try {
        // `--` ends the options: the URL and the tag can never be read as one.
        await run(
          'git',
          [
            ...GIT_CONFIG,
            'clone',
            '--quiet',
            '--depth',
            '1',
            '--branch',
            tag,
            '--single-branch',
            '--',
            url,
            'src',
          ],
          gitOptions,
        );
      } catch (error) {
        const { stderr, killed } = error as { stderr?: string; killed?: boolean };
        const reason = killed ? 'git clone timed out' : stderr || (error as Error).message;
        await client().send(
          new PutObjectCommand({
            Bucket: options.bucket,
            Key: fetchFailureObjectKey(key),
            Body: reason,
            ContentType: 'text/plain; charset=utf-8',
          }),
        );
        return undefined;
      }
      const archive = join(dir, 'source.zip');
      await run('git', ['-C', 'src', 'archive', '--format=zip', '-o', archive, 'HEAD'], gitOptions);
      await client().send(
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: key,
          Body: createReadStream(archive),
          ContentLength: (await stat(archive)).size,
          ContentType: 'application/zip',
        }),
      );
      return undefined;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
