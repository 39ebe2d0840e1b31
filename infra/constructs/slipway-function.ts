import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { AssetHashType, DockerImage, Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
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

  bindTable(table: ITableV2, access: 'read' | 'readWrite'): this {
    if (access === 'read') table.grantReadData(this.fn);
    else table.grantReadWriteData(this.fn);
    this.fn.addEnvironment('SLIPWAY_TABLE_NAME', table.tableName);
    return this;
  }

  /**
   * A workflow this function starts (`start`), and for cancel and the reaper also stops and
   * describes (`manage`), or only describes the definition of (`describe`: the health check);
   * its ARN in `envName`.
   */
  bindStateMachine(
    stateMachine: IStateMachine,
    envName: string,
    access: 'start' | 'manage' | 'describe',
  ): this {
    if (access === 'describe') stateMachine.grant(this.fn, 'states:DescribeStateMachine');
    else stateMachine.grantStartExecution(this.fn);
    if (access === 'manage')
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
