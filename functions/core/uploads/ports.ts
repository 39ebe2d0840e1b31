/** Upload records, object storage and the zip reader the artifact checks use. */
import type { Upload } from './model.ts';

export interface UploadRepository {
  create(upload: Upload): Promise<void>;
  get(id: string): Promise<Upload | undefined>;
  /**
   * Records that the object arrived (or was replaced before the URL expired). Returns the
   * updated upload, or undefined when there is no such upload or it was already consumed.
   */
  markUploaded(
    id: string,
    object: { key: string; size: number; etag: string; at: string },
  ): Promise<Upload | undefined>;
  /**
   * Marks an uploaded upload consumed by `consumer`, once: returns false when it is no longer
   * `uploaded` (another consumer won the race).
   */
  markConsumed(id: string, consumer: string, at: string, acceptPending?: boolean): Promise<boolean>;
  /** Undoes `markConsumed` when the consumer could not be created; only that consumer can. */
  releaseConsumption(id: string, consumer: string): Promise<void>;
}

export interface StoredObject {
  size: number;
  contentType?: string;
  /** The SHA-256 storage verified and kept, when it did (base64). */
  sha256?: string;
}

export interface PresignedUpload {
  url: string;
  /** Exactly the headers the client must send with the PUT. */
  headers: Record<string, string>;
}

export interface ArtifactStore {
  presignUpload(input: {
    objectKey: string;
    contentType: string;
    size?: number;
    sha256?: string;
    expiresInSeconds: number;
    signingDate: Date;
  }): Promise<PresignedUpload>;
  /** The stored object's size and type, or undefined when it is missing. */
  describe(objectKey: string): Promise<StoredObject | undefined>;
  /** Reads the whole object and returns its SHA-256 (base64). */
  computeSha256(objectKey: string): Promise<string>;
  /** A server-side copy, so an artifact outlives the upload slot it arrived in. */
  copy(fromKey: string, toKey: string): Promise<void>;
  /**
   * Streams the object into a temporary file, runs `use` on its path and removes the file;
   * undefined when there is no such object.
   */
  withLocalCopy<T>(objectKey: string, use: (path: string) => Promise<T>): Promise<T | undefined>;
  /** A small text object (at most `maxBytes`), or undefined when there is none. */
  readText(objectKey: string, maxBytes: number): Promise<string | undefined>;
}

/** Reads zip files on the local disk (the workflow downloads artifacts before reading them). */
export interface ZipReader {
  list(path: string): Promise<ArtifactListing>;
  /** One entry's content as UTF-8; refuses entries larger than `maxBytes`. */
  readText(path: string, entryName: string, maxBytes: number): Promise<string>;
  /**
   * Extracts the entries under `prefix` (a folder ending in `/`) into `dest`, without the
   * prefix; returns how many files it wrote. Sizes are checked against the real streams.
   */
  extract(path: string, prefix: string, dest: string): Promise<number>;
}

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
