import { randomBytes } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { jwtAccessTokens } from '../../functions/adapters/auth/jwt.ts';
import { configuredJwtKey } from '../../functions/adapters/auth/jwt-key.ts';

// Secrets Manager has no local stand-in: mocked (aws-sdk-client-mock), as on AWS it is read.
const secrets = mockClient(SecretsManagerClient);
const ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:slipway-jwt-AbCdEf';

afterEach(() => {
  secrets.reset();
  delete process.env.SLIPWAY_JWT_SECRET_ARN;
});

describe('the access-token key', () => {
  it('comes from Secrets Manager when a secret is configured, read once and then cached', async () => {
    const key = randomBytes(48).toString('base64');
    process.env.SLIPWAY_JWT_SECRET_ARN = ARN;
    secrets.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: key });
    const tokens = jwtAccessTokens(configuredJwtKey);

    const token = await tokens.sign({ clientId: 'c', tenant: 't', scopes: ['admin'] }, 60);
    const claims = await tokens.verify(token);

    expect(claims).toMatchObject({ clientId: 'c', tenant: 't', scopes: ['admin'] });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('comes from the environment otherwise (npm start, tests)', async () => {
    expect(await configuredJwtKey()).toBe(process.env.SLIPWAY_JWT_KEY);
    expect(secrets.calls()).toHaveLength(0);
  });
});
