import { describe, expect, it } from 'vitest';
import {
  buildCommands,
  nodeEntryPoint,
  REDACTED,
  redactor,
  runScript,
  scriptEnvironment,
} from '../../functions/core/hosting/build-rules.ts';

describe('build commands', () => {
  it.each([
    ['no package.json (static assets)', undefined, false, []],
    ['no dependencies, no build script', { scripts: { start: 'node .' } }, false, []],
    ['a build script only', { scripts: { build: 'tsc' } }, false, ['npm run build']],
    ['dependencies and a lockfile', { dependencies: { a: '1' } }, true, ['npm ci']],
    [
      'dev dependencies, no lockfile, a build',
      { devDependencies: { a: '1' }, scripts: { build: 'x' } },
      false,
      ['npm install', 'npm run build'],
    ],
  ])('%s', (_, manifest, lockfile, expected) => {
    expect(buildCommands(manifest, lockfile)).toEqual(expected);
  });
});

describe('redaction', () => {
  it('replaces every secured value, the longest first, and leaves other text alone', () => {
    const redact = redactor(['abc', 'abcdef', '']);

    expect(redact('token=abcdef and abc, not ab')).toBe(`token=${REDACTED} and ${REDACTED}, not ab`);
    expect(redactor([])('plain')).toBe('plain');
  });

  it('catches a multi-line secret line by line, and a secret escaped inside JSON', () => {
    const pem = '-----BEGIN KEY-----\nMIIEvQIBADANBgkq\nhkiG9w0BAQEFAASC\n-----END KEY-----';
    const redact = redactor([pem, 'p"ass\\word']);

    expect(pem.split('\n').map(redact)).toEqual([REDACTED, REDACTED, REDACTED, REDACTED]);
    expect(redact(JSON.stringify({ password: 'p"ass\\word' }))).toBe(`{"password":"${REDACTED}"}`);
  });
});

describe('script environment', () => {
  it('passes configuration, the service url and the topic, and keeps what the runtime sets for itself', () => {
    const env = scriptEnvironment(
      { CTP_REGION: 'eu', PATH: '/evil', PORT: '1' },
      { serviceUrl: 'http://x', topic: 't' },
    );

    expect(env).toEqual({
      CTP_REGION: 'eu',
      CONNECT_SERVICE_URL: 'http://x',
      CONNECT_TOPIC: 't',
      CONNECT_GCP_TOPIC_NAME: 't',
      CONNECT_PROVIDER: 'slipway',
    });
  });
});

describe('the Node entry point a host starts without npm', () => {
  const has =
    (...files: string[]) =>
    (file: string) =>
      files.includes(file);

  it.each([
    [
      'a node start script',
      { scripts: { start: 'node dist/server.js' } },
      has('dist/server.js', 'index.js'),
      'dist/server.js',
    ],
    [
      'flags before the file',
      { scripts: { start: 'node --enable-source-maps app.js' } },
      has('app.js'),
      'app.js',
    ],
    [
      'main when the start script is not node',
      { main: 'lib/main.js', scripts: { start: 'tsx src' } },
      has('lib/main.js'),
      'lib/main.js',
    ],
    [
      'main resolved as Node does, with .js or index.js',
      { main: 'lib' },
      has('lib/index.js'),
      'lib/index.js',
    ],
    ['server.js, then index.js', undefined, has('index.js'), 'index.js'],
    ['nothing that exists', { main: 'gone.js' }, has(), undefined],
  ])('%s', (_, manifest, exists, expected) => {
    expect(nodeEntryPoint(manifest, exists)).toBe(expected);
  });

  it('writes a run.sh that starts it from its own folder, quoting the path', () => {
    expect(runScript('dist/my server.js')).toBe(
      '#!/bin/sh\ncd "$(dirname "$0")"\nexec node "dist/my server.js"\n',
    );
  });
});
