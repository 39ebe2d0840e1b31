/**
 * What signs and verifies access tokens, beside the shared composition root: only the token
 * endpoint and the authorizer (and local tools) need the key, and on AWS reading it brings the
 * Secrets Manager client, which the other bundles leave out.
 */
import { jwtAccessTokens } from '../adapters/auth/jwt.ts';
import { configuredJwtKey } from '../adapters/auth/jwt-key.ts';
import { deps } from './shared.ts';

export const authDeps = {
  ...deps,
  tokens: jwtAccessTokens(configuredJwtKey),
};
