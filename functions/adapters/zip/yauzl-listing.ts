import { createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { ArtifactRejected } from '../../core/uploads/errors.ts';
import type { ArtifactEntry, ArtifactListing, ZipReader } from '../../core/uploads/ports.ts';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** yauzl refuses absolute paths, `..` segments and backslashes in names; those are zip-slip attempts. */
const UNSAFE_NAME = /^(absolute path|invalid relative path|invalid characters in fileName)/;

const toRejection = (error: Error): ArtifactRejected =>
  UNSAFE_NAME.test(error.message)
    ? new ArtifactRejected(
        'ArtifactUnsafePath',
        `The artifact has an entry outside its root (${error.message}).`,
      )
    : new ArtifactRejected('ArtifactNotZip', `The artifact is not a readable zip file (${error.message}).`);

const open = (path: string): Promise<yauzl.ZipFile> =>
  new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, zip) =>
      error || !zip ? reject(toRejection(error ?? new Error('no zip'))) : resolve(zip),
    );
  });

async function* rawEntriesOf(zip: yauzl.ZipFile): AsyncGenerator<yauzl.Entry> {
  for (;;) {
    const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
      const onEntry = (e: yauzl.Entry) => {
        zip.off('end', onEnd).off('error', onError);
        resolve(e);
      };
      const onEnd = () => {
        zip.off('entry', onEntry).off('error', onError);
        resolve(undefined);
      };
      const onError = (error: Error) => {
        zip.off('entry', onEntry).off('end', onEnd);
        reject(toRejection(error));
      };
      zip.once('entry', onEntry).once('end', onEnd).once('error', onError);
      zip.readEntry();
    });
    if (!entry) return;
    yield entry;
  }
}

async function* entriesOf(zip: yauzl.ZipFile): AsyncGenerator<ArtifactEntry> {
  for await (const entry of rawEntriesOf(zip)) {
    const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
    yield {
      name: entry.fileName,
      compressedSize: entry.compressedSize,
      uncompressedSize: entry.uncompressedSize,
      isDirectory: entry.fileName.endsWith('/'),
      isSymlink: mode === S_IFLNK,
    };
  }
}

/** Lists a zip file's central directory with yauzl, without extracting anything. */
export const listZip = async (path: string): Promise<ArtifactListing> => {
  const { size } = await stat(path);
  const zip = await open(path);
  return {
    fileSize: size,
    entryCount: zip.entryCount,
    entries: entriesOf(zip),
    close: () => {
      if (zip.isOpen) zip.close();
    },
  };
};

/**
 * One entry of a zip file as UTF-8 text. yauzl checks the inflated size against the declared
 * one while streaming, and entries declared larger than `maxBytes` are not read at all.
 */
export const readZipText = async (path: string, entryName: string, maxBytes: number): Promise<string> => {
  const zip = await open(path);
  try {
    for await (const entry of rawEntriesOf(zip)) {
      if (entry.fileName !== entryName) continue;
      if (entry.uncompressedSize > maxBytes) {
        throw new ArtifactRejected('ArtifactTooLarge', `'${entryName}' is larger than ${maxBytes} bytes.`);
      }
      const stream = await new Promise<Readable>((resolve, reject) =>
        zip.openReadStream(entry, (error, s) =>
          error || !s ? reject(toRejection(error ?? new Error('no stream'))) : resolve(s),
        ),
      );
      const chunks: Buffer[] = [];
      try {
        for await (const chunk of stream) chunks.push(chunk as Buffer);
      } catch (error) {
        throw toRejection(error as Error);
      }
      return Buffer.concat(chunks).toString('utf8');
    }
    throw new ArtifactRejected(
      'ConnectorSpecificationFileNotFound',
      `'${entryName}' is not in the artifact.`,
    );
  } finally {
    if (zip.isOpen) zip.close();
  }
};

/**
 * Extracts the files under `prefix` into `dest`. yauzl has already refused absolute paths
 * and `..` segments; the resolved path is checked to stay inside `dest` all the same, and
 * symbolic links are skipped (inspection refuses them before a build gets here). File modes
 * keep their execute bit, so a bundled script stays runnable.
 */
export const extractZip = async (path: string, prefix: string, dest: string): Promise<number> => {
  const root = resolve(dest);
  const zip = await open(path);
  let written = 0;
  try {
    for await (const entry of rawEntriesOf(zip)) {
      if (!entry.fileName.startsWith(prefix) || entry.fileName.endsWith('/')) continue;
      const mode = (entry.externalFileAttributes >>> 16) & 0o777777;
      if ((mode & S_IFMT) === S_IFLNK) continue;
      const target = resolve(root, entry.fileName.slice(prefix.length));
      if (!target.startsWith(`${root}${sep}`)) throw toRejection(new Error('invalid relative path'));
      await mkdir(dirname(target), { recursive: true });
      const stream = await new Promise<Readable>((resolveStream, reject) =>
        zip.openReadStream(entry, (error, s) =>
          error || !s ? reject(toRejection(error ?? new Error('no stream'))) : resolveStream(s),
        ),
      );
      try {
        await pipeline(stream, createWriteStream(target, { mode: mode & 0o100 ? 0o755 : 0o644 }));
      } catch (error) {
        throw toRejection(error as Error);
      }
      written++;
    }
    return written;
  } finally {
    if (zip.isOpen) zip.close();
  }
};

export const yauzlZipReader: ZipReader = { list: listZip, readText: readZipText, extract: extractZip };
