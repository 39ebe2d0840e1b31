import { ArtifactRejected } from './errors.ts';
import type { ArtifactStore, ZipReader } from './ports.ts';

/** What a zip reader reports of one entry, from the central directory (nothing is extracted). */
export interface ArtifactEntry {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
  isDirectory: boolean;
  isSymlink: boolean;
}

/** A zip's central directory: the entry count comes first, so a huge archive is refused before it is walked. */
export interface ArtifactListing {
  fileSize: number;
  entryCount: number;
  entries: AsyncIterable<ArtifactEntry>;
  /** Releases the file; safe to call more than once. */
  close(): void;
}

export interface ArtifactLimits {
  maxEntries: number;
  maxUncompressedBytes: number;
  /** Uncompressed over compressed size, for the whole archive. */
  maxCompressionRatio: number;
  /** Below this many uncompressed bytes the ratio is not checked: small, repetitive files compress well. */
  ratioCheckFromBytes: number;
}

/** Issue 3's limits: 10,000 entries, 512 MB uncompressed, a ratio of 100 beyond 10 MB. */
export const ARTIFACT_LIMITS: ArtifactLimits = {
  maxEntries: 10_000,
  maxUncompressedBytes: 512 * 1024 * 1024,
  maxCompressionRatio: 100,
  ratioCheckFromBytes: 10 * 1024 * 1024,
};

export interface ArtifactManifest {
  entryCount: number;
  uncompressedBytes: number;
  /** `''` when connect.yaml (or the content) is at the root, else the single top-level folder with its slash. */
  root: string;
  /** Path of connect.yaml inside the zip, when there is one. */
  connectYaml?: string;
}

const SPEC_FILE = 'connect.yaml';

/**
 * Finds connect.yaml at the root, or under a single top-level folder (what zipping a folder
 * produces). Anything else, such as two folders each with one, is not found.
 */
const locateSpec = (names: string[]): { root: string; connectYaml?: string } => {
  if (names.includes(SPEC_FILE)) return { root: '', connectYaml: SPEC_FILE };
  const tops = new Set(names.map((n) => n.split('/')[0]));
  const [only] = tops;
  if (tops.size === 1 && only !== undefined && names.some((n) => n.includes('/'))) {
    const root = `${only}/`;
    return names.includes(`${root}${SPEC_FILE}`) ? { root, connectYaml: `${root}${SPEC_FILE}` } : { root };
  }
  return { root: '' };
};

/**
 * Checks an artifact before anything in it runs: entry count, no symbolic links, total
 * uncompressed size and compression ratio (zip bombs), and where connect.yaml is. Sizes come
 * from the central directory; the extractor validates them against the real streams too, so
 * a zip that lies about them fails there.
 */
export const inspectArtifact = async (
  listing: ArtifactListing,
  options: { requireConnectYaml: boolean; limits?: ArtifactLimits },
): Promise<ArtifactManifest> => {
  const limits = options.limits ?? ARTIFACT_LIMITS;
  try {
    if (listing.entryCount > limits.maxEntries) {
      throw new ArtifactRejected(
        'ArtifactTooManyEntries',
        `The artifact has ${listing.entryCount} entries; at most ${limits.maxEntries} are allowed.`,
        { entryCount: listing.entryCount, maxEntries: limits.maxEntries },
      );
    }
    let uncompressedBytes = 0;
    const names: string[] = [];
    for await (const entry of listing.entries) {
      if (entry.isSymlink) {
        throw new ArtifactRejected(
          'ArtifactSymlink',
          `The artifact contains a symbolic link: '${entry.name}'.`,
          {
            entry: entry.name,
          },
        );
      }
      uncompressedBytes += entry.uncompressedSize;
      if (uncompressedBytes > limits.maxUncompressedBytes) {
        throw new ArtifactRejected(
          'ArtifactTooLarge',
          `The artifact expands to more than ${limits.maxUncompressedBytes} bytes.`,
          { maxUncompressedBytes: limits.maxUncompressedBytes },
        );
      }
      if (!entry.isDirectory) names.push(entry.name);
    }
    const ratio = uncompressedBytes / Math.max(listing.fileSize, 1);
    if (uncompressedBytes >= limits.ratioCheckFromBytes && ratio > limits.maxCompressionRatio) {
      throw new ArtifactRejected(
        'ArtifactCompressionRatio',
        `The artifact expands ${Math.round(ratio)} times (at most ${limits.maxCompressionRatio}): it looks like a zip bomb.`,
        { ratio: Math.round(ratio), maxCompressionRatio: limits.maxCompressionRatio },
      );
    }
    const spec = locateSpec(names);
    if (options.requireConnectYaml && !spec.connectYaml) {
      throw new ArtifactRejected(
        'ConnectorSpecificationFileNotFound',
        'connect.yaml was not found at the root of the artifact or under its single top-level folder.',
      );
    }
    return { entryCount: listing.entryCount, uncompressedBytes, ...spec };
  } finally {
    listing.close();
  }
};

/**
 * connect.yaml files are a few kilobytes. The file's text travels between the workflows'
 * states, whose data Step Functions caps at 256 KB with an error no Catch can handle, so the
 * file is held well below that.
 */
export const SPEC_MAX_BYTES = 64 * 1024;

/** A checked artifact: its manifest and the text of its connect.yaml, for the spec parser. */
export interface ArtifactContents {
  manifest: ArtifactManifest;
  connectYaml: string;
}

/**
 * Downloads an artifact, checks the zip (`inspectArtifact`) and reads its connect.yaml. Its
 * own step, in its own function: the S3 client and the connect.yaml parser together would
 * not fit one Lambda bundle's budget. Undefined when the object is gone. `onDownloaded`
 * runs between the download and the checks (the deploy workflow records `unzipping` there).
 */
export const readArtifact = (
  deps: { artifacts: ArtifactStore; zip: ZipReader },
  objectKey: string,
  onDownloaded?: () => Promise<void>,
): Promise<ArtifactContents | undefined> =>
  deps.artifacts.withLocalCopy(objectKey, async (path) => {
    await onDownloaded?.();
    const manifest = await inspectArtifact(await deps.zip.list(path), { requireConnectYaml: true });
    const connectYaml = await deps.zip.readText(path, manifest.connectYaml ?? 'connect.yaml', SPEC_MAX_BYTES);
    return { manifest, connectYaml };
  });
