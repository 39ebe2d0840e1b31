import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Zippable, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { connectSpecificationParser } from '../../functions/adapters/connect-spec/parser.ts';
import { listZip, yauzlZipReader } from '../../functions/adapters/zip/yauzl-listing.ts';
import {
  ARTIFACT_LIMITS,
  type ConfigurationKeys,
  inspectArtifact,
  OUTPUT_APPLICATION,
  OUTPUT_BUNDLE_LIMITS,
  readArtifact,
} from '../../functions/core/uploads/artifacts.ts';

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

  it('records an output/ bundle at the root when no connect.yaml is required', async () => {
    const manifest = await inspect(zipFile({ 'output/index.html': text('<p>hi</p>') }), false);

    expect(manifest).toMatchObject({ root: '', outputFolder: 'output/' });
    expect(manifest.connectYaml).toBeUndefined();
  });

  it('still requires connect.yaml of a connector source, even with an output/ folder', async () => {
    const rejection = inspect(zipFile({ 'output/server.js': text('1') }));

    await expect(rejection).rejects.toMatchObject({
      code: 'ConnectorSpecificationFileNotFound',
      message: expect.not.stringContaining('output/'),
    });
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

/**
 * Bundles without connect.yaml (the Catalyst CLI's output/ folder), read the way the deploy
 * workflow reads them: the real zip reader, and the synthesized spec through the real parser.
 */
describe('output/ bundles', () => {
  const local = { withLocalCopy: <T>(path: string, use: (p: string) => Promise<T>) => use(path) };
  const deps = { artifacts: local, zip: yauzlZipReader };
  const read = async (path: string, configurationKeys?: ConfigurationKeys) => {
    const contents = await readArtifact(deps, path, {
      acceptOutputBundle: true,
      ...(configurationKeys ? { configurationKeys } : {}),
    });
    if (!contents) throw new Error('the artifact is gone');
    return contents;
  };
  const deploy = async (files: Zippable, configurationKeys?: ConfigurationKeys) => {
    const contents = await read(zipFile(files), configurationKeys);
    const spec = await connectSpecificationParser.parse(contents.connectYaml);
    return { manifest: contents.manifest, spec, app: spec.applications[0] };
  };
  const json = (value: unknown) => text(JSON.stringify(value));

  it('deploys output/ with server.js as one service named output at /', async () => {
    const { manifest, spec } = await deploy({
      'output/server.js': text('1'),
      'output/static/a.css': text('a'),
    });

    expect(manifest).toMatchObject({ root: '', outputFolder: 'output/' });
    expect(manifest.connectYaml).toBeUndefined();
    expect(spec.applications).toEqual([
      {
        name: OUTPUT_APPLICATION,
        applicationType: 'service',
        endpoint: '/',
        scripts: {},
        standardConfiguration: [],
        securedConfiguration: [],
      },
    ]);
  });

  it.each([
    ['a start script', { scripts: { start: 'next start' } }, {}],
    ['a main file', { main: './dist/main.js' }, { 'output/dist/main.js': text('1') }],
    ['index.js', { name: 'site' }, { 'output/index.js': text('1') }],
  ])('deploys output/ whose package.json has %s as a service', async (_, manifest, files) => {
    const { app } = await deploy({ 'output/package.json': json(manifest), ...files });

    expect(app).toMatchObject({ name: 'output', applicationType: 'service', endpoint: '/' });
  });

  it('deploys output/ without a Node entry point as static assets', async () => {
    const { spec } = await deploy({
      'output/index.html': text('<p>hi</p>'),
      'output/styles/site.css': text('p {}'),
      'output/package.json': json({ scripts: { build: 'vite build' } }),
    });

    expect(spec.applications).toEqual([
      {
        name: 'output',
        applicationType: 'assets',
        scripts: {},
        standardConfiguration: [],
        securedConfiguration: [],
      },
    ]);
  });

  it('finds output/ under a single top-level folder', async () => {
    const { manifest, app } = await deploy({ 'catalyst-app/output/server.js': text('1') });

    expect(manifest).toMatchObject({ root: 'catalyst-app/', outputFolder: 'catalyst-app/output/' });
    expect(app).toMatchObject({ name: 'output', applicationType: 'service' });
  });

  it('deploys by connect.yaml when the artifact has both', async () => {
    const connectYaml = 'deployAs:\n  - name: web\n    applicationType: assets\n';

    const contents = await read(
      zipFile({
        'connect.yaml': text(connectYaml),
        'web/index.html': text('1'),
        'output/server.js': text('1'),
      }),
    );

    expect(contents.connectYaml).toBe(connectYaml);
    expect(contents.manifest).toMatchObject({ root: '', connectYaml: 'connect.yaml' });
    expect(contents.manifest.outputFolder).toBeUndefined();
  });

  it('declares the configuration keys given to the output application, none required', async () => {
    const { app } = await deploy(
      { 'output/server.js': text('1') },
      { standard: ['STORE_HASH', 'CHANNEL_ID'], secured: ['ACCESS_TOKEN'] },
    );

    const declared = (key: string) => ({ key, description: 'Set by the deployment', required: false });
    expect(app?.standardConfiguration).toEqual([declared('STORE_HASH'), declared('CHANNEL_ID')]);
    expect(app?.securedConfiguration).toEqual([declared('ACCESS_TOKEN')]);
  });

  it('declares no configuration on static assets, which Connect gives none', async () => {
    const { app } = await deploy(
      { 'output/index.html': text('1') },
      { standard: ['STORE_HASH'], secured: [] },
    );

    expect(app).toMatchObject({
      applicationType: 'assets',
      standardConfiguration: [],
      securedConfiguration: [],
    });
  });

  it('writes the spec as JSON, so keys and names need no YAML quoting', async () => {
    const contents = await read(zipFile({ 'output/server.js': text('1') }), {
      standard: ['yes', 'null', '0123'],
      secured: [],
    });

    expect(JSON.parse(contents.connectYaml)).toEqual({
      deployAs: [
        {
          name: 'output',
          applicationType: 'service',
          endpoint: '/',
          configuration: {
            standardConfiguration: ['yes', 'null', '0123'].map((key) => ({
              key,
              description: 'Set by the deployment',
              required: false,
            })),
            securedConfiguration: [],
          },
        },
      ],
    });
    const parsed = await connectSpecificationParser.parse(contents.connectYaml);
    expect(parsed.applications[0]?.standardConfiguration.map((k) => k.key)).toEqual(['yes', 'null', '0123']);
  });

  it.each([
    ['neither connect.yaml nor output/', { 'dist/server.js': text('1') }],
    ['an empty output/ folder', { 'output/': new Uint8Array(), 'README.md': text('hi') }],
    ['output/ two levels down', { 'a/b/output/server.js': text('1') }],
  ])('refuses %s as ConnectorSpecificationFileNotFound, naming both options', async (_, files) => {
    await expect(read(zipFile(files))).rejects.toMatchObject({
      code: 'ConnectorSpecificationFileNotFound',
      message: expect.stringMatching(/connect\.yaml.*output\//),
    });
  });

  it('refuses an output/ bundle as a connector source (no acceptOutputBundle)', async () => {
    const path = zipFile({ 'output/server.js': text('1') });

    await expect(readArtifact(deps, path)).rejects.toMatchObject({
      code: 'ConnectorSpecificationFileNotFound',
    });
  });

  const manyFiles = (count: number): Zippable => {
    const files: Zippable = {};
    for (let i = 0; i < count; i++) files[`output/assets/${i}.js`] = text('');
    return files;
  };

  it('accepts 1,000 files under output/', async () => {
    const { app } = await deploy(manyFiles(OUTPUT_BUNDLE_LIMITS.maxFiles));

    expect(app?.applicationType).toBe('assets');
  });

  it('refuses 1,001 files under output/ as BundleTooManyFiles', async () => {
    await expect(read(zipFile(manyFiles(1_001)))).rejects.toMatchObject({
      code: 'BundleTooManyFiles',
      message: expect.stringContaining('1001 files'),
      details: { fileCount: 1_001, maxFiles: 1_000 },
    });
  });

  it('does not apply the bundle limits to a connect.yaml artifact', async () => {
    const files = manyFiles(1_001);
    files['connect.yaml'] = text('deployAs:\n  - name: output\n    applicationType: assets\n');

    const contents = await read(zipFile(files));

    expect(contents.manifest.connectYaml).toBe('connect.yaml');
  });

  // Random bytes, stored: the archive is as large as its content, so the compression-ratio
  // rule (which would refuse 25 MB of zeros first) stays out of the way.
  const fileOf = (bytes: number): Zippable => ({
    'output/index.html': text('<p>hi</p>'),
    'output/video.mp4': [randomBytes(bytes), { level: 0 }],
  });

  it('accepts a file of exactly 25 MB under output/', async () => {
    const { app } = await deploy(fileOf(OUTPUT_BUNDLE_LIMITS.maxFileBytes));

    expect(app?.applicationType).toBe('assets');
  });

  it('refuses a file just over 25 MB under output/ as BundleFileTooLarge, naming it', async () => {
    await expect(read(zipFile(fileOf(25 * 1024 * 1024 + 1)))).rejects.toMatchObject({
      code: 'BundleFileTooLarge',
      message: expect.stringContaining("'output/video.mp4'"),
      details: { entry: 'output/video.mp4', size: 25 * 1024 * 1024 + 1, maxFileBytes: 25 * 1024 * 1024 },
    });
  });

  it.each([
    ['is not JSON', text('{ "scripts": { "start": "node server.js", } }')],
    ['is not an object', json(['node', 'server.js'])],
    ['has scripts that are not an object', json({ scripts: 'node server.js' })],
  ])('refuses an output/package.json that %s as BundleManifestInvalid', async (_, packageJson) => {
    const path = zipFile({ 'output/package.json': packageJson, 'output/server.js': text('1') });

    await expect(read(path)).rejects.toMatchObject({
      code: 'BundleManifestInvalid',
      message: expect.stringContaining("'output/package.json'"),
      details: { entry: 'output/package.json' },
    });
  });
});
