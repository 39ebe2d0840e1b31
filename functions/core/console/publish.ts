/**
 * Publishing the web console on AWS: its built files go to the hosted-assets bucket under
 * `console/`, where the distribution serves them at `/console/`, and the distribution's copies
 * are dropped. The files named by their content go first and `index.html`, which names them,
 * last: a visitor never gets a page whose script is not there yet.
 */

export interface ConsoleSiteFile {
  /** The path under `console/`: `index.html`, `assets/main-<hash>.js`… */
  path: string;
  contentType: string;
  /** Named by its content: cacheable for ever. `index.html` is not. */
  immutable: boolean;
  body: Uint8Array;
}

export interface ConsoleSitePorts {
  /** The console as built for this release (packaged with the function that publishes it). */
  files(): Promise<ConsoleSiteFile[]>;
  /** Writes one file where the distribution serves it, with the caching it says. */
  put(file: ConsoleSiteFile, cacheControl: string): Promise<void>;
  /** Drops the distribution's copies of the console; `reference` names this release. */
  invalidate(reference: string): Promise<void>;
}

export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Revalidated on each visit: it is small, and names the current release's files. */
export const REVALIDATE = 'no-cache';

/** Writes every file of the release, the entry page last, then drops cached copies; returns how many. */
export const publishConsole = async (ports: ConsoleSitePorts, release: string): Promise<number> => {
  const files = await ports.files();
  const entry = files.filter((f) => !f.immutable);
  if (!files.some((f) => f.path === 'index.html')) throw new Error('The console release has no index.html');
  await Promise.all(files.filter((f) => f.immutable).map((f) => ports.put(f, IMMUTABLE)));
  for (const file of entry) await ports.put(file, REVALIDATE);
  await ports.invalidate(release);
  return files.length;
};
