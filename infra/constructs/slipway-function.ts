import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { AssetHashType, DockerImage, Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Code, Function as LambdaFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Every Slipway Lambda: `functions/handlers/<name>.ts`, bundled by `npm run build --only`
 * (`functions/local/bundle.ts`: ESM, minified, SDK bundled, `module` before `main`, the
 * Lambda credential provider and the SDK schema plugin), on arm64 and Node 24, with a log
 * group that expires and X-Ray tracing. The bind helpers grant least privilege and set the
 * matching environment variable in one call, so the two never drift apart.
 *
 * Not a `NodejsFunction`: that runs the esbuild CLI, which takes no plugins, so its bundle
 * would be 50–90 KB larger than the one `npm start` and the bundle-budget test use. Bundling
 * here runs the same function instead, so Lambda gets the bundle that was tested.
 */
export class SlipwayFunction extends Construct {
  readonly fn: LambdaFunction;

  constructor(scope: Construct, id: string, props: { handler: string; timeout?: Duration }) {
    super(scope, id);
    const { handler } = props;
    this.fn = new LambdaFunction(this, 'Function', {
      code: Code.fromAsset(join(ROOT, 'functions'), {
        // One source folder for every handler: the hash must come from the bundle, and the
        // bundling options must differ per handler, or CDK would reuse the first bundle.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          image: DockerImage.fromRegistry('node:22'),
          environment: { SLIPWAY_HANDLER: handler },
          local: {
            tryBundle(outputDir) {
              execFileSync(
                process.execPath,
                ['--import', 'tsx', join(ROOT, 'scripts', 'build.ts'), '--only', handler, '--out', outputDir],
                { stdio: 'inherit' },
              );
              return true;
            },
          },
        },
      }),
      handler: 'index.handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 1024,
      timeout: props.timeout ?? Duration.seconds(29),
      tracing: Tracing.ACTIVE,
      logGroup: new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH }),
      environment: {
        POWERTOOLS_SERVICE_NAME: 'slipway',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });
  }

  /**
   * The table, for exactly the DynamoDB `actions` the function's code sends (on the table and
   * its indexes), and `kms:Decrypt` on its key for any item operation: DynamoDB decrypts the
   * table key on the caller's behalf (a `DescribeTable` alone needs no key).
   */
  bindTable(table: ITableV2, actions: readonly TableAction[]): this {
    if (actions.length === 0) throw new Error('bindTable: name the DynamoDB actions the function sends');
    table.grant(this.fn, ...actions.map((action) => `dynamodb:${action}`));
    if (actions.some((action) => action !== 'DescribeTable'))
      table.encryptionKey?.grant(this.fn, 'kms:Decrypt');
    this.fn.addEnvironment('SLIPWAY_TABLE_NAME', table.tableName);
    return this;
  }

  /**
   * A workflow this function starts (`start`), starts and then follows (`track`: the connector
   * checks it starts), only follows and stops (`watch`: the reaper), or only describes the
   * definition of (`describe`: the health check); its ARN in `envName`.
   */
  bindStateMachine(
    stateMachine: IStateMachine,
    envName: string,
    access: 'start' | 'track' | 'watch' | 'describe',
  ): this {
    if (access === 'describe') stateMachine.grant(this.fn, 'states:DescribeStateMachine');
    if (access === 'start' || access === 'track') stateMachine.grantStartExecution(this.fn);
    if (access === 'track') stateMachine.grantExecution(this.fn, 'states:DescribeExecution');
    if (access === 'watch')
      stateMachine.grantExecution(this.fn, 'states:StopExecution', 'states:DescribeExecution');
    this.fn.addEnvironment(envName, stateMachine.stateMachineArn);
    return this;
  }

  /** The bus this function's domain events go to (`functions/adapters/events/eventbridge-bus.ts`). */
  bindEventBus(bus: IEventBus): this {
    bus.grantPutEventsTo(this.fn);
    this.fn.addEnvironment('SLIPWAY_EVENT_BUS_NAME', bus.eventBusName);
    return this;
  }

  private boundSecretsKey: IKey | undefined;

  /** The secured-configuration key, once bound: hosting encrypts hosted environments with it. */
  get secretsKey(): IKey | undefined {
    return this.boundSecretsKey;
  }

  /**
   * The secured-configuration key (`functions/adapters/crypto/kms-cipher.ts`): `seal` to encrypt
   * values (the API: one `GenerateDataKey` per call), `open` to decrypt them (hosting, scripts).
   */
  bindSecrets(key: IKey, access: 'seal' | 'open'): this {
    key.grant(this.fn, access === 'seal' ? 'kms:GenerateDataKey' : 'kms:Decrypt');
    this.boundSecretsKey = key;
    this.fn.addEnvironment('SLIPWAY_KMS_KEY_ID', key.keyArn);
    return this;
  }

  /** The artifacts bucket, for exactly the keys the function reads and writes (`grantObjects`). */
  bindBucket(bucket: IBucket, access: BucketAccess): this {
    grantObjects(bucket, this.fn, access);
    this.fn.addEnvironment('SLIPWAY_BUCKET_NAME', bucket.bucketName);
    return this;
  }
}

/** The DynamoDB actions a function may be granted: what the adapters send, no more. */
export type TableAction =
  | 'GetItem'
  | 'Query'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem'
  | 'DescribeTable';

/** What a principal does with a bucket's objects, by key pattern (as `IBucket.arnForObjects` takes them). */
export interface BucketAccess {
  /** `s3:GetObject` (and `kms:Decrypt` on an SSE-KMS bucket's key). */
  read?: readonly string[];
  /** `s3:PutObject` (and `kms:GenerateDataKey`). */
  write?: readonly string[];
  /** `s3:DeleteObject`. */
  delete?: readonly string[];
  /**
   * `s3:ListBucket`, for a listing, or for a read of a key that may be missing: S3 answers
   * NoSuchKey (404) only to a caller that may list the bucket, AccessDenied (403) otherwise.
   */
  list?: boolean;
  /** The keys read never exist (a probe that expects NoSuchKey): S3 decrypts nothing for it. */
  absent?: boolean;
  /**
   * `s3:AbortMultipartUpload` on the written keys, and `kms:Decrypt`, which completing an SSE-KMS
   * multipart upload needs: for the AWS CLI, which uploads files over 8 MB in parts.
   */
  multipart?: boolean;
}

/**
 * Exactly the S3 actions `access` names on exactly its keys, and what the bucket's key must
 * allow for them; not CDK's `grantRead`/`grantReadWrite`, which add `GetObject*`, `List*`,
 * `DeleteObject*`, tagging, retention and legal hold on every key of the bucket.
 */
export const grantObjects = (bucket: IBucket, grantee: IGrantable, access: BucketAccess): void => {
  const statement = (action: string, keys: readonly string[] = []) => {
    if (keys.length > 0)
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({ actions: [action], resources: keys.map((key) => bucket.arnForObjects(key)) }),
      );
  };
  statement('s3:GetObject', access.read);
  statement('s3:PutObject', access.write);
  statement('s3:DeleteObject', access.delete);
  if (access.multipart) statement('s3:AbortMultipartUpload', access.write);
  if (access.list)
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    );
  const key = bucket.encryptionKey;
  if (!key) return;
  const decrypts = (access.read?.length && !access.absent) || (access.multipart && access.write?.length);
  if (decrypts) key.grant(grantee, 'kms:Decrypt');
  if (access.write?.length) key.grant(grantee, 'kms:GenerateDataKey');
};
