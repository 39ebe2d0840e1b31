import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { config } from '../../config.ts';

export type DependencyStatus = 'ok' | 'down';
export type Dependencies = Record<'dynamodb' | 's3' | 'stepFunctions', DependencyStatus>;

const dynamodb = new DynamoDBClient({ maxAttempts: 1 });
const s3 = new S3Client({ maxAttempts: 1, requestChecksumCalculation: 'WHEN_REQUIRED' });
const sfn = new SFNClient({ maxAttempts: 1 });

const PROBE_TIMEOUT_MS = 2_000;
/** A key that never exists: `NoSuchKey` proves the bucket is there and readable. */
const S3_PROBE_KEY = 'health/probe';

const probe = async (
  check: (signal: AbortSignal) => Promise<unknown>,
  okError?: string,
): Promise<DependencyStatus> => {
  try {
    await check(AbortSignal.timeout(PROBE_TIMEOUT_MS));
    return 'ok';
  } catch (error) {
    return okError !== undefined && (error as Error).name === okError ? 'ok' : 'down';
  }
};

const probeAll = async (): Promise<Dependencies> => {
  const [dynamodbStatus, s3Status, sfnStatus] = await Promise.all([
    probe((abortSignal) =>
      dynamodb.send(new DescribeTableCommand({ TableName: config.tableName }), { abortSignal }),
    ),
    // An object read rather than HeadBucket: bucket-level calls trip a SigV4 quirk of the local
    // S3 server, and a GetObject answer tells a missing bucket (NoSuchBucket) from a missing key.
    probe(
      (abortSignal) =>
        s3.send(new GetObjectCommand({ Bucket: config.bucketName, Key: S3_PROBE_KEY }), { abortSignal }),
      'NoSuchKey',
    ),
    probe((abortSignal) =>
      sfn.send(new DescribeStateMachineCommand({ stateMachineArn: config.deployStateMachineArn }), {
        abortSignal,
      }),
    ),
  ]);
  return { dynamodb: dynamodbStatus, s3: s3Status, stepFunctions: sfnStatus };
};

let cached: { at: number; result: Promise<Dependencies> } | undefined;

/**
 * One cheap read per dependency, in parallel, each bounded by a short timeout. Results are
 * shared for `SLIPWAY_HEALTH_CACHE_MS` (default 2 s) so a storm of health checks cannot
 * turn into a storm of calls on the dependencies.
 */
export const checkDependencies = (): Promise<Dependencies> => {
  const now = Date.now();
  if (!cached || now - cached.at >= config.healthCacheMs) cached = { at: now, result: probeAll() };
  return cached.result;
};
