import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clientTypes, SCHEMA_FILE } from '../../cli/api/generate.ts';
import { api } from '../helpers.ts';

describe("the CLI's generated API client", () => {
  it('is what the live /openapi.json generates (run `npm run cli:client` after changing a route)', async () => {
    const document = await (await api('/openapi.json')).json();

    const generated = await clientTypes(document);

    expect(
      generated === readFileSync(SCHEMA_FILE, 'utf8'),
      'cli/api/schema.d.ts is stale: npm run cli:client',
    ).toBe(true);
  });
});
