// The build step of this example: it needs src/index.ts, which the example leaves out on
// purpose, so `npm run build` fails with a clear message on stderr.
const { existsSync } = require('node:fs');

if (!existsSync('src/index.ts')) {
  console.error('Error: the build needs src/index.ts, which is missing');
  process.exit(1);
}
console.log('build: src/index.ts found (this example never gets here)');
