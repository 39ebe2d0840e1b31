import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured JSON logger per process. Request bodies, headers and tokens are never
 * logged: secrets travel in them.
 */
export const logger = new Logger({ serviceName: 'slipway' });
