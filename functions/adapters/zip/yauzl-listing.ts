import { stat } from 'node:fs/promises';
import yauzl from 'yauzl';
import type { ArtifactEntry, ArtifactListing } from '../../core/artifacts.ts';
import { ArtifactRejected } from '../../core/errors.ts';

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
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (error, zip) =>
      error || !zip ? reject(toRejection(error ?? new Error('no zip'))) : resolve(zip),
    );
  });

async function* entriesOf(zip: yauzl.ZipFile): AsyncGenerator<ArtifactEntry> {
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
