import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConsoleSiteFile } from '../../core/console/publish.ts';

/** What `scripts/build.ts` writes beside the publishing function's bundle: the files and this list. */
export const CONSOLE_PACKAGE_DIR = 'console';
export const CONSOLE_MANIFEST = 'manifest.json';

interface ManifestEntry {
  path: string;
  contentType: string;
  immutable: boolean;
}

/**
 * The console's files as packaged with the function (`<bundle dir>/console/`), read through
 * their manifest: the function carries the release it publishes, so the release is exactly the
 * code that was deployed with it.
 */
export const packagedConsoleFiles = (bundleDir: string) => async (): Promise<ConsoleSiteFile[]> => {
  const dir = join(bundleDir, CONSOLE_PACKAGE_DIR);
  const manifest = JSON.parse(await readFile(join(dir, CONSOLE_MANIFEST), 'utf8')) as ManifestEntry[];
  return Promise.all(
    manifest.map(async (entry) => ({ ...entry, body: await readFile(join(dir, ...entry.path.split('/'))) })),
  );
};
