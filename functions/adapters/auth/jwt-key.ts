import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { config } from '../../config.ts';

/** How long a function reuses the key it read from Secrets Manager before reading it again. */
const SECRET_MAX_AGE_SECONDS = 300;

/**
 * The access-token key (base64, at least 32 bytes): from Secrets Manager on AWS
 * (`SLIPWAY_JWT_SECRET_ARN`, read through Powertools and cached five minutes), from the
 * environment locally (`SLIPWAY_JWT_KEY`, generated into the data folder by `npm start`).
 */
export const configuredJwtKey = async (): Promise<string> => {
  const arn = config.jwtSecretArn;
  if (!arn) return config.jwtKey;
  const value = await getSecret(arn, { maxAge: SECRET_MAX_AGE_SECONDS });
  if (typeof value !== 'string' || value === '') throw new Error('The access-token key secret is empty');
  return value;
};
