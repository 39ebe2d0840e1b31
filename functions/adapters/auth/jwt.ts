import { errors, jwtVerify, SignJWT } from 'jose';
import { AuthenticationError } from '../../core/auth/errors.ts';
import type { AccessTokenService } from '../../core/auth/ports.ts';
import { newId } from '../../core/shared/ids.ts';

const ISSUER = 'slipway';
const AUDIENCE = 'slipway-api';
const ALGORITHM = 'HS256';

/**
 * Access tokens are HS256 JWTs: one service signs and verifies them, so a shared
 * 256-bit key is enough and verification needs no network. Only HS256 is accepted,
 * which rules out `alg: none` and algorithm-confusion tokens.
 */
export const jwtAccessTokens = (key: () => string | Promise<string>): AccessTokenService => {
  /** The decoded key and the text it came from: a source that rotates its value is followed. */
  let cached: { text: string; bytes: Uint8Array } | undefined;
  const signingKey = async (): Promise<Uint8Array> => {
    const text = await key();
    if (cached?.text !== text) cached = { text, bytes: Buffer.from(text, 'base64') };
    return cached.bytes;
  };

  return {
    async sign(claims, ttlSeconds) {
      return new SignJWT({ tenant: claims.tenant, scope: claims.scopes.join(' ') })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setSubject(claims.clientId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setJti(newId())
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(await signingKey());
    },

    async verify(token) {
      // Read the key outside the try: a missing key is a configuration fault (500), not a bad token.
      const verificationKey = await signingKey();
      try {
        const { payload } = await jwtVerify(token, verificationKey, {
          algorithms: [ALGORITHM],
          issuer: ISSUER,
          audience: AUDIENCE,
          requiredClaims: ['sub', 'exp', 'iat', 'jti', 'tenant', 'scope'],
        });
        const { sub, jti, iat, exp, tenant, scope } = payload;
        if (typeof tenant !== 'string' || typeof scope !== 'string' || !sub || !jti || !iat || !exp) {
          throw new AuthenticationError('The access token is invalid.');
        }
        return {
          clientId: sub,
          tenant,
          scopes: scope.split(' ').filter(Boolean),
          tokenId: jti,
          issuedAt: new Date(iat * 1000),
          expiresAt: new Date(exp * 1000),
        };
      } catch (error) {
        if (error instanceof AuthenticationError) throw error;
        if (error instanceof errors.JWTExpired)
          throw new AuthenticationError('The access token has expired.');
        throw new AuthenticationError('The access token is invalid.');
      }
    },
  };
};
