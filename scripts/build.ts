/** `npm run build`: one bundle per Lambda handler into dist/<name>/index.mjs, with sizes. */
import { join } from 'node:path';
import { bundleHandlers } from '../functions/local/bundle.ts';

for (const { name, bytes } of await bundleHandlers(join(import.meta.dirname, '..', 'dist'))) {
  process.stdout.write(`${name.padEnd(16)} ${(bytes / 1024).toFixed(0).padStart(5)} KB\n`);
}
