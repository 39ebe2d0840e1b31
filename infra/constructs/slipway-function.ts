import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { BUNDLE_BANNER, BUNDLE_MAIN_FIELDS, HANDLERS_DIR } from '../../functions/local/bundle.ts';

/**
 * Every Slipway Lambda: `functions/handlers/<name>.ts` bundled the way `npm run build`
 * does (ESM, minified, SDK bundled, `module` before `main`), on arm64 and Node 24, with a
 * log group that expires and X-Ray tracing. The bind helpers grant least privilege and set
 * the matching environment variable in one call, so the two never drift apart.
 */
export class SlipwayFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: { handler: string; timeout?: Duration }) {
    super(scope, id);
    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(HANDLERS_DIR, `${props.handler}.ts`),
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
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        mainFields: BUNDLE_MAIN_FIELDS,
        externalModules: [],
        banner: BUNDLE_BANNER,
      },
    });
  }

  bindTable(table: ITableV2, access: 'read' | 'readWrite'): this {
    if (access === 'read') table.grantReadData(this.fn);
    else table.grantReadWriteData(this.fn);
    this.fn.addEnvironment('SLIPWAY_TABLE_NAME', table.tableName);
    return this;
  }

  /**
   * A workflow this function starts (`start`), and for cancel and the reaper also stops and
   * describes (`manage`); its ARN in `envName`.
   */
  bindStateMachine(stateMachine: IStateMachine, envName: string, access: 'start' | 'manage'): this {
    stateMachine.grantStartExecution(this.fn);
    if (access === 'manage')
      stateMachine.grantExecution(this.fn, 'states:StopExecution', 'states:DescribeExecution');
    this.fn.addEnvironment(envName, stateMachine.stateMachineArn);
    return this;
  }

  /** The secured-configuration key: `seal` to encrypt values (the API), `open` to decrypt them (hosting). */
  bindSecrets(key: IKey, access: 'seal' | 'open'): this {
    if (access === 'seal') key.grantEncrypt(this.fn);
    else key.grantDecrypt(this.fn);
    this.fn.addEnvironment('SLIPWAY_KMS_KEY_ID', key.keyArn);
    return this;
  }

  bindBucket(bucket: IBucket, access: 'read' | 'readWrite'): this {
    if (access === 'read') bucket.grantRead(this.fn);
    else bucket.grantReadWrite(this.fn);
    this.fn.addEnvironment('SLIPWAY_BUCKET_NAME', bucket.bucketName);
    return this;
  }
}
