import { AppError } from '../shared/errors.ts';

export class AuthenticationError extends AppError {
  override readonly name = 'AuthenticationError';
  constructor(
    message = 'Authentication required: send a valid access token (Authorization: Bearer, or X-Auth-Token).',
  ) {
    super('AuthenticationError', message);
  }
}

export class AuthorizationError extends AppError {
  override readonly name = 'AuthorizationError';
  constructor(requiredScopes: readonly string[]) {
    super(
      'AuthorizationError',
      `Insufficient scope. One of the following scopes is missing: ${requiredScopes.join(', ')}`,
    );
  }
}

/** OAuth2 token endpoint errors keep the RFC 6749 codes so OAuth libraries understand them. */
export class InvalidClient extends AppError {
  override readonly name = 'InvalidClient';
  constructor() {
    super('invalid_client', 'Please provide valid client credentials using HTTP Basic Authentication.');
  }
}

export class InvalidScope extends AppError {
  override readonly name = 'InvalidScope';
  constructor(scope: string) {
    super('invalid_scope', `The scope '${scope}' is not granted to this client.`);
  }
}

export class UnsupportedGrantType extends AppError {
  override readonly name = 'UnsupportedGrantType';
  constructor(grantType: string | undefined) {
    super('unsupported_grant_type', `Unsupported grant_type '${grantType ?? ''}': use client_credentials.`);
  }
}

/** RFC 6749 §5.2: the client may not do this (revoke another client's token). */
export class UnauthorizedClient extends AppError {
  override readonly name = 'UnauthorizedClient';
  constructor(message: string) {
    super('unauthorized_client', message);
  }
}
