import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Zippable, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { listZip } from '../../functions/adapters/zip/yauzl-listing.ts';
import { ARTIFACT_LIMITS, inspectArtifact } from '../../functions/core/artifacts.ts';

/**
 * Real zip files, written with fflate (which, unlike careful writers, will store hostile
 * names and symlink attributes) and read back with the yauzl adapter.
 */
const dir = mkdtempSync(join(tmpdir(), 'slipway-zips-'));
let n = 0;
const zipFile = (files: Zippable): string => {
  const path = join(dir, `${n++}.zip`);
  writeFileSync(path, zipSync(files, { level: 9 }));
  return path;
};
const text = (s: string) => new TextEncoder().encode(s);
const inspect = async (path: string, requireConnectYaml = true, limits = ARTIFACT_LIMITS) =>
  inspectArtifact(await listZip(path), { requireConnectYaml, limits });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('artifact inspection', () => {
  it('accepts connect.yaml at the root', async () => {
    const manifest = await inspect(
      zipFile({ 'connect.yaml': text('deployAs: []'), 'service/index.js': text('1') }),
    );

    expect(manifest).toMatchObject({ root: '', connectYaml: 'connect.yaml', entryCount: 2 });
  });

  it('accepts connect.yaml under a single top-level folder', async () => {
    const manifest = await inspect(
      zipFile({ 'my-app/connect.yaml': text('deployAs: []'), 'my-app/service/index.js': text('1') }),
    );

    expect(manifest).toMatchObject({ root: 'my-app/', connectYaml: 'my-app/connect.yaml' });
  });

  it.each([
    ['no connect.yaml', { 'service/index.js': text('1') }],
    ['connect.yaml two levels down', { 'a/b/connect.yaml': text('x') }],
    ['two top-level folders', { 'a/connect.yaml': text('x'), 'b/index.js': text('1') }],
  ])('refuses an artifact with %s as ConnectorSpecificationFileNotFound', async (_, files) => {
    await expect(inspect(zipFile(files))).rejects.toMatchObject({
      code: 'ConnectorSpecificationFileNotFound',
    });
  });

  it('accepts a bundle without connect.yaml when none is required', async () => {
    const manifest = await inspect(zipFile({ 'output/index.html': text('<p>hi</p>') }), false);

    expect(manifest.root).toBe('output/');
    expect(manifest.connectYaml).toBeUndefined();
  });

  it.each([
    ['a parent-directory entry', '../evil.sh'],
    ['a nested parent-directory entry', 'app/../../evil.sh'],
    ['an absolute path', '/etc/cron.d/evil'],
    ['a Windows drive path', 'C:/evil.bat'],
  ])('refuses %s as ArtifactUnsafePath (zip-slip)', async (_, name) => {
    const path = zipFile({ 'connect.yaml': text('x'), [name]: text('#!/bin/sh') });

    await expect(inspect(path)).rejects.toMatchObject({ code: 'ArtifactUnsafePath' });
  });

  it('refuses a symbolic link as ArtifactSymlink', async () => {
    const path = zipFile({
      'connect.yaml': text('x'),
      'service/secrets': [text('/etc/passwd'), { os: 3, attrs: (0o120777 << 16) >>> 0 }],
    });

    await expect(inspect(path)).rejects.toMatchObject({
      code: 'ArtifactSymlink',
      details: { entry: 'service/secrets' },
    });
  });

  it('refuses a zip bomb (20 MB of zeros) by its compression ratio', async () => {
    const path = zipFile({ 'connect.yaml': text('x'), 'zeros.bin': new Uint8Array(20 * 1024 * 1024) });

    await expect(inspect(path)).rejects.toMatchObject({ code: 'ArtifactCompressionRatio' });
  });

  it('refuses more entries than allowed before walking them', async () => {
    const files: Zippable = { 'connect.yaml': text('x') };
    for (let i = 0; i < ARTIFACT_LIMITS.maxEntries; i++) files[`f/${i}`] = text('');

    await expect(inspect(zipFile(files))).rejects.toMatchObject({
      code: 'ArtifactTooManyEntries',
      details: { entryCount: ARTIFACT_LIMITS.maxEntries + 1 },
    });
  });

  it('refuses an artifact that expands past the size limit', async () => {
    const path = zipFile({ 'connect.yaml': text('x'), 'big.txt': text('y'.repeat(5000)) });

    await expect(
      inspect(path, true, { ...ARTIFACT_LIMITS, maxUncompressedBytes: 4096 }),
    ).rejects.toMatchObject({
      code: 'ArtifactTooLarge',
    });
  });

  it('refuses a file that is not a zip as ArtifactNotZip', async () => {
    const path = join(dir, 'not-a.zip');
    writeFileSync(path, 'this is plain text, not a zip archive');

    await expect(inspect(path)).rejects.toMatchObject({ code: 'ArtifactNotZip' });
  });
});
