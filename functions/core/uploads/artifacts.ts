import { nodeEntryPoint, type PackageManifest } from '../hosting/build-rules.ts';
import { ArtifactRejected } from './errors.ts';
import type { ArtifactListing, ArtifactStore, ZipReader } from './ports.ts';

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

/**
 * BigCommerce's documented limits for a bundle without connect.yaml (the Catalyst CLI's
 * `output/` folder), on top of the artifact's own: 1,000 files and 25 MB a file.
 */
export interface BundleLimits {
  maxFiles: number;
  maxFileBytes: number;
}

export const OUTPUT_BUNDLE_LIMITS: BundleLimits = {
  maxFiles: 1_000,
  maxFileBytes: 25 * 1024 * 1024,
};

/**
 * The one application a bundle without connect.yaml deploys as. Named after its folder: an
 * application's folder is `<root><name>/` (`planOf` in deployments/workflow/prepare.ts).
 */
export const OUTPUT_APPLICATION = 'output';

export interface ArtifactManifest {
  entryCount: number;
  uncompressedBytes: number;
  /** `''` when connect.yaml (or the content) is at the root, else the single top-level folder with its slash. */
  root: string;
  /** Path of connect.yaml inside the zip, when there is one. */
  connectYaml?: string;
  /**
   * `<root>output/`, for a bundle without connect.yaml whose output/ folder holds files (the
   * Catalyst convention): that folder deploys as the application `OUTPUT_APPLICATION`.
   */
  outputFolder?: string;
}

const SPEC_FILE = 'connect.yaml';
const OUTPUT_FOLDER = `${OUTPUT_APPLICATION}/`;

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
 * connect.yaml first; without it, an output/ folder holding files, at the root or under the
 * single top-level folder. The root is tried first, so a zip of nothing but output/ is a
 * bundle at the root rather than a folder named output.
 */
const locateContents = (names: string[]): Pick<ArtifactManifest, 'root' | 'connectYaml' | 'outputFolder'> => {
  const spec = locateSpec(names);
  if (spec.connectYaml) return spec;
  const root = ['', spec.root].find((r) => names.some((n) => n.startsWith(`${r}${OUTPUT_FOLDER}`)));
  return root === undefined ? spec : { root, outputFolder: `${root}${OUTPUT_FOLDER}` };
};

/** The files of an output/ bundle against BigCommerce's limits, from central-directory sizes. */
const checkBundle = (files: { name: string; size: number }[], folder: string, limits: BundleLimits) => {
  const inside = files.filter((f) => f.name.startsWith(folder));
  if (inside.length > limits.maxFiles) {
    throw new ArtifactRejected(
      'BundleTooManyFiles',
      `The ${folder} folder holds ${inside.length} files; a bundle may hold at most ${limits.maxFiles}.`,
      { fileCount: inside.length, maxFiles: limits.maxFiles },
    );
  }
  const big = inside.find((f) => f.size > limits.maxFileBytes);
  if (big) {
    throw new ArtifactRejected(
      'BundleFileTooLarge',
      `'${big.name}' is ${big.size} bytes; a file in a bundle may be at most ${limits.maxFileBytes} bytes (${limits.maxFileBytes / (1024 * 1024)} MB).`,
      { entry: big.name, size: big.size, maxFileBytes: limits.maxFileBytes },
    );
  }
};

export interface InspectionOptions {
  /** Refuse an artifact without connect.yaml (`ConnectorSpecificationFileNotFound`). */
  requireConnectYaml: boolean;
  /**
   * With `requireConnectYaml`, an output/ bundle satisfies it too: deployments take one,
   * connector drafts (which publish connect.yaml's declarations) do not.
   */
  acceptOutputBundle?: boolean;
  limits?: ArtifactLimits;
  bundleLimits?: BundleLimits;
}

/** The manifest, and the files' names and sizes for the caller's own use (never for workflow state). */
const examineArtifact = async (
  listing: ArtifactListing,
  options: InspectionOptions,
): Promise<{ manifest: ArtifactManifest; files: { name: string; size: number }[] }> => {
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
    const files: { name: string; size: number }[] = [];
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
      if (!entry.isDirectory) files.push({ name: entry.name, size: entry.uncompressedSize });
    }
    const ratio = uncompressedBytes / Math.max(listing.fileSize, 1);
    if (uncompressedBytes >= limits.ratioCheckFromBytes && ratio > limits.maxCompressionRatio) {
      throw new ArtifactRejected(
        'ArtifactCompressionRatio',
        `The artifact expands ${Math.round(ratio)} times (at most ${limits.maxCompressionRatio}): it looks like a zip bomb.`,
        { ratio: Math.round(ratio), maxCompressionRatio: limits.maxCompressionRatio },
      );
    }
    const located = locateContents(files.map((f) => f.name));
    const accepted = located.connectYaml || (options.acceptOutputBundle && located.outputFolder);
    if (options.requireConnectYaml && !accepted) {
      throw new ArtifactRejected(
        'ConnectorSpecificationFileNotFound',
        options.acceptOutputBundle
          ? 'Neither connect.yaml nor an output/ folder with files was found at the root of the artifact or under its single top-level folder: give connect.yaml to deploy a connector, or an output/ folder to deploy it as one application.'
          : 'connect.yaml was not found at the root of the artifact or under its single top-level folder.',
      );
    }
    if (located.outputFolder)
      checkBundle(files, located.outputFolder, options.bundleLimits ?? OUTPUT_BUNDLE_LIMITS);
    return { manifest: { entryCount: listing.entryCount, uncompressedBytes, ...located }, files };
  } finally {
    listing.close();
  }
};

/**
 * Checks an artifact before anything in it runs: entry count, no symbolic links, total
 * uncompressed size and compression ratio (zip bombs), and where connect.yaml is or, without
 * it, the output/ folder (then BigCommerce's bundle limits: file count, size of each file).
 * Sizes come from the central directory; the extractor validates them against the real
 * streams too, so a zip that lies about them fails there.
 */
export const inspectArtifact = async (
  listing: ArtifactListing,
  options: InspectionOptions,
): Promise<ArtifactManifest> => (await examineArtifact(listing, options)).manifest;

/**
 * connect.yaml files are a few kilobytes. The file's text travels between the workflows'
 * states, whose data Step Functions caps at 256 KB with an error no Catch can handle, so the
 * file is held well below that.
 */
export const SPEC_MAX_BYTES = 64 * 1024;

/** A checked artifact: its manifest and the text of its connect.yaml, for the spec parser. */
export interface ArtifactContents {
  manifest: ArtifactManifest;
  /** The artifact's connect.yaml, or for an output/ bundle one written for it (`outputBundleSpec`). */
  connectYaml: string;
}

/** Configuration keys a deployment gives an application, by kind. */
export interface ConfigurationKeys {
  standard: string[];
  secured: string[];
}

/** An output/ folder's package.json is read in memory only; this is generous for one. */
const PACKAGE_JSON_MAX_BYTES = 1024 * 1024;

const packageManifestOf = (text: string, name: string): PackageManifest & { main?: string } => {
  const invalid = (reason: string) =>
    new ArtifactRejected('BundleManifestInvalid', `'${name}' is not a valid package.json: ${reason}.`, {
      entry: name,
    });
  let parsed: unknown;
  try {
    // npm reads a package.json that starts with a byte order mark; JSON.parse does not.
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw invalid((error as Error).message);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw invalid('it is not a JSON object');
  const { scripts, main } = parsed as { scripts?: unknown; main?: unknown };
  if (scripts !== undefined && (typeof scripts !== 'object' || scripts === null || Array.isArray(scripts)))
    throw invalid("'scripts' is not an object");
  if (main !== undefined && typeof main !== 'string') throw invalid("'main' is not a string");
  return parsed as PackageManifest & { main?: string };
};

/** `./dist/server.js` and `dist/server.js` name the same entry. */
const normalized = (file: string) => file.replace(/^(?:\.\/)+/, '');

/**
 * The connect.yaml an output/ bundle would have, as JSON (which is YAML, and needs no
 * quoting): one application named `output`, a service at `/` when the folder has a Node entry
 * point (a start script, or what `nodeEntryPoint` finds), static assets otherwise. A service
 * declares the configuration keys the deployment gives it, none of them required, so the
 * checks against the specification accept them; Connect's specification gives assets no
 * configuration, so keys given to an assets bundle are refused as unknown.
 */
export const outputBundleSpec = (
  manifest: (PackageManifest & { main?: string }) | undefined,
  exists: (file: string) => boolean,
  keys: ConfigurationKeys = { standard: [], secured: [] },
): string => {
  const start = manifest?.scripts?.start;
  const isService =
    (typeof start === 'string' && start.trim() !== '') ||
    nodeEntryPoint(manifest, (file) => exists(normalized(file))) !== undefined;
  if (!isService)
    return JSON.stringify({ deployAs: [{ name: OUTPUT_APPLICATION, applicationType: 'assets' }] });
  const declared = (key: string) => ({ key, description: 'Set by the deployment', required: false });
  const configured = keys.standard.length + keys.secured.length > 0;
  return JSON.stringify({
    deployAs: [
      {
        name: OUTPUT_APPLICATION,
        applicationType: 'service',
        endpoint: '/',
        ...(configured
          ? {
              configuration: {
                standardConfiguration: keys.standard.map(declared),
                securedConfiguration: keys.secured.map(declared),
              },
            }
          : {}),
      },
    ],
  });
};

export interface ReadArtifactOptions {
  /** Runs between the download and the checks (the deploy workflow records `unzipping` there). */
  onDownloaded?: () => Promise<void>;
  /** Take an artifact without connect.yaml whose output/ folder holds files (deployments). */
  acceptOutputBundle?: boolean;
  /** What the deployment gives the output/ bundle's application; its spec declares them. */
  configurationKeys?: ConfigurationKeys;
}

/**
 * Downloads an artifact, checks the zip (`inspectArtifact`) and reads its connect.yaml, or for
 * an output/ bundle (only with `acceptOutputBundle`) reads its package.json and writes one
 * (`outputBundleSpec`). Its own step, in its own function: the S3 client and the connect.yaml
 * parser together would not fit one Lambda bundle's budget. Undefined when the object is gone.
 */
export const readArtifact = (
  deps: { artifacts: Pick<ArtifactStore, 'withLocalCopy'>; zip: ZipReader },
  objectKey: string,
  options: ReadArtifactOptions = {},
): Promise<ArtifactContents | undefined> =>
  deps.artifacts.withLocalCopy(objectKey, async (path) => {
    await options.onDownloaded?.();
    const { manifest, files } = await examineArtifact(await deps.zip.list(path), {
      requireConnectYaml: true,
      acceptOutputBundle: options.acceptOutputBundle ?? false,
    });
    const folder = manifest.outputFolder;
    if (manifest.connectYaml || !folder) {
      const connectYaml = await deps.zip.readText(path, manifest.connectYaml ?? SPEC_FILE, SPEC_MAX_BYTES);
      return { manifest, connectYaml };
    }
    const names = new Set(files.map((f) => f.name));
    const packageJson = `${folder}package.json`;
    const packageManifest = names.has(packageJson)
      ? packageManifestOf(await deps.zip.readText(path, packageJson, PACKAGE_JSON_MAX_BYTES), packageJson)
      : undefined;
    const connectYaml = outputBundleSpec(
      packageManifest,
      (file) => names.has(`${folder}${file}`),
      options.configurationKeys,
    );
    return { manifest, connectYaml };
  });
