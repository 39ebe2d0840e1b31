import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiEvent, lambdaContext } from '../fixtures/events.ts';
import { api } from '../helpers.ts';

/** Calls the health handler in process, with the stack's real endpoints and one setting changed. */
const healthWith = async (env: Record<string, string>) => {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  const { handler } = await import('../../functions/handlers/health.ts');
  return handler(apiEvent('GET', '/health'), lambdaContext());
};

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('GET /health', () => {
  it('is public and reports every dependency ok', async () => {
    const res = await api('/health');

    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({
      status: 'ok',
      dependencies: { dynamodb: 'ok', s3: 'ok', stepFunctions: 'ok' },
    });
  });

  it('answers 503 and names S3 when the bucket is missing', async () => {
    const result = await healthWith({ SLIPWAY_BUCKET_NAME: 'no-such-bucket' });

    expect(result.statusCode).toBe(503);
    expect(JSON.parse(String(result.body))).toEqual({
      status: 'degraded',
      dependencies: { dynamodb: 'ok', s3: 'down', stepFunctions: 'ok' },
    });
  });

  it('answers 503 and names DynamoDB when the table is missing', async () => {
    const result = await healthWith({ SLIPWAY_TABLE_NAME: 'no-such-table' });

    expect(result.statusCode).toBe(503);
    expect(JSON.parse(String(result.body)).dependencies).toEqual({
      dynamodb: 'down',
      s3: 'ok',
      stepFunctions: 'ok',
    });
  });

  it('answers 503 and names Step Functions when its endpoint does not answer', async () => {
    const result = await healthWith({ AWS_ENDPOINT_URL_SFN: 'http://127.0.0.1:9' });

    expect(result.statusCode).toBe(503);
    expect(JSON.parse(String(result.body)).dependencies.stepFunctions).toBe('down');
  });
});
