import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerImage, Duration, Stack } from 'aws-cdk-lib';
import { BuildSpec, ComputeType, LinuxArmBuildImage, Project, Source } from 'aws-cdk-lib/aws-codebuild';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { DefinitionBody, LogLevel, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { AWS_BUNDLE_OPTIONS } from '../../functions/local/bundle.ts';
import { STATE_MACHINE_DIR } from '../../functions/local/state-machines.ts';
import { ARTIFACT_KEYS, DEPLOYABLE_ARTIFACTS } from './artifact-keys.ts';
import { grantObjects, type SlipwayFunction } from './slipway-function.ts';

const BUILDS_DIR = join(import.meta.dirname, '..', '..', 'functions', 'builds');

/** A state machine's definition as the local engine reads it, placeholders and all. */
export const definitionText = (name: string) =>
  readFileSync(join(STATE_MACHINE_DIR, `${name}.asl.json`), 'utf8');

export interface WorkflowsProps {
  table: ITableV2;
  bucket: IBucket;
  /** Scripts run with their configuration: they decrypt secured values. */
  secretsKey: IKey;
  artifactReader: SlipwayFunction;
  connectorPublisher: SlipwayFunction;
  deploymentPrepare: SlipwayFunction;
  deploymentSteps: SlipwayFunction;
}

/** What the build environment needs: Node 22 on arm64 Linux, small, with a time limit. */
const buildEnvironment = {
  buildImage: LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0,
  computeType: ComputeType.SMALL,
};

/**
 * The workflows on AWS: the three state machines of `statemachine/*.asl.json` (inlined, with
 * CDK substituting the same `${…}` placeholders the local stack fills), logged at ALL and
 * traced, and the CodeBuild projects their `startBuild.sync` tasks start: fetching a git tag,
 * building an application and running its scripts with the same job code the local runtime
 * runs (`functions/builds`, bundled as `jobs.mjs`).
 */
export class Workflows extends Construct {
  readonly publish: StateMachine;
  readonly deploy: StateMachine;
  readonly undeploy: StateMachine;
  readonly projects: { fetchSource: Project; build: Project; script: Project };

  constructor(scope: Construct, id: string, props: WorkflowsProps) {
    super(scope, id);
    const { bucket, table } = props;
    // What CodeBuild keeps of a build (its logs' and cache's encryption) under a key of ours.
    const encryptionKey = new Key(this, 'BuildKey', {
      description: 'Slipway: CodeBuild projects',
      enableKeyRotation: true,
    });

    const fetchSource = new Project(this, 'FetchSource', {
      description: 'Slipway: git clone --depth 1 --branch <tag>, git archive, to the artifacts bucket',
      environment: buildEnvironment,
      encryptionKey,
      timeout: Duration.minutes(10),
      environmentVariables: { BUCKET: { value: bucket.bucketName } },
      buildSpec: BuildSpec.fromObject({
        version: '0.2',
        env: { shell: 'bash' },
        phases: {
          build: {
            commands: [
              // Only https; no redirects, no prompts; a failed clone is reported, not a failed build.
              'export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null',
              'if ! git -c protocol.allow=never -c protocol.https.allow=always -c http.followRedirects=false clone --quiet --depth 1 --branch "$REPOSITORY_TAG" -- "$REPOSITORY_URL" src > clone.log 2>&1; then head -c 65536 clone.log > clone.err; aws s3 cp clone.err "s3://$BUCKET/$ARCHIVE_KEY.error" --content-type "text/plain; charset=utf-8" --only-show-errors; exit 0; fi',
              'git -C src archive --format=zip -o source.zip HEAD',
              'aws s3 cp source.zip "s3://$BUCKET/$ARCHIVE_KEY" --content-type application/zip --only-show-errors',
            ],
          },
        },
      }),
    });
    // The archive, or git's words when the clone fails; the CLI uploads over 8 MB in parts.
    grantObjects(bucket, fetchSource, {
      write: [ARTIFACT_KEYS.connectorSources, ARTIFACT_KEYS.fetchFailures],
      multipart: true,
    });

    // The jobs (functions/builds/cli.ts) bundled like the handlers: one ESM file; beside it the
    // bridge a build copies into each event application (functions/builds/pubsub-bridge.ts).
    const jobsCode = new Asset(this, 'JobsCode', {
      path: BUILDS_DIR,
      bundling: {
        image: DockerImage.fromRegistry('node:22'),
        local: {
          tryBundle(outputDir) {
            buildSync({
              entryPoints: [
                { in: join(BUILDS_DIR, 'cli.ts'), out: 'jobs' },
                { in: join(BUILDS_DIR, 'pubsub-bridge.ts'), out: 'pubsub-bridge' },
              ],
              outdir: outputDir,
              // Not the handlers' credentials alias: CodeBuild's credentials come from its
              // container endpoint, which the SDK's default chain finds.
              ...AWS_BUNDLE_OPTIONS,
            });
            return true;
          },
        },
      },
    });
    const jobEnvironment = {
      SLIPWAY_TABLE_NAME: { value: table.tableName },
      SLIPWAY_BUCKET_NAME: { value: bucket.bucketName },
      SLIPWAY_WORKSPACE_DIR: { value: '/tmp/slipway' },
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: { value: 'true' },
    };
    const jobProject = (
      name: string,
      description: string,
      commands: string[],
      exported: string[],
      extraEnvironment: Record<string, { value: string }> = {},
    ) => {
      const project = new Project(this, name, {
        description,
        environment: buildEnvironment,
        encryptionKey,
        timeout: Duration.minutes(20),
        source: Source.s3({ bucket: jobsCode.bucket, path: jobsCode.s3ObjectKey }),
        environmentVariables: { ...jobEnvironment, ...extraEnvironment },
        buildSpec: BuildSpec.fromObject({
          version: '0.2',
          env: { shell: 'bash', ...(exported.length ? { 'exported-variables': exported } : {}) },
          phases: { install: { 'runtime-versions': { nodejs: 22 } }, build: { commands } },
        }),
      });
      // A job reads its deployment and appends to its logs (functions/builds/jobs.ts).
      table.grant(project, 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem');
      table.encryptionKey?.grant(project, 'kms:Decrypt');
      return project;
    };
    // A build leaves its folder in the bucket for hosting: a zip, or for assets the files.
    const build = jobProject(
      'BuildApplication',
      'Slipway: build one application of a deployment (npm ci|install, npm run build)',
      [
        'SLIPWAY_JOB=build node "$CODEBUILD_SRC_DIR/jobs.mjs"',
        'DIR="$(cat bundle-dir.txt)"; KEY="deployments/$DEPLOYMENT_ID/builds/$OPERATION_ID/$APPLICATION"',
        'if [ "$APPLICATION_TYPE" = assets ]; then aws s3 sync "$DIR" "s3://$SLIPWAY_BUCKET_NAME/$KEY/" --only-show-errors; export BUNDLE="$KEY/"; else (cd "$DIR" && zip -qr /tmp/app.zip .); aws s3 cp /tmp/app.zip "s3://$SLIPWAY_BUCKET_NAME/$KEY.zip" --only-show-errors; export BUNDLE="$KEY.zip"; fi',
      ],
      ['BUNDLE'],
    );
    // It extracts the deployment's artifact (a missing one reads as missing: list), and uploads
    // what it built (sync lists the target; the CLI uploads over 8 MB in parts).
    grantObjects(bucket, build, {
      read: DEPLOYABLE_ARTIFACTS,
      write: [ARTIFACT_KEYS.builds],
      list: true,
      multipart: true,
    });
    const script = jobProject(
      'RunScript',
      "Slipway: run one application's postDeploy or preUndeploy script",
      [
        'if [[ "$BUNDLE" == */ ]]; then aws s3 sync "s3://$SLIPWAY_BUCKET_NAME/$BUNDLE" app --only-show-errors; else aws s3 cp "s3://$SLIPWAY_BUCKET_NAME/$BUNDLE" app.zip --only-show-errors && unzip -q app.zip -d app; fi',
        'BUNDLE="$PWD/app" SLIPWAY_JOB=script node "$CODEBUILD_SRC_DIR/jobs.mjs"',
      ],
      [],
      { SLIPWAY_KMS_KEY_ID: { value: props.secretsKey.keyArn } },
    );
    // It downloads the build (sync lists it) and decrypts the application's secured configuration.
    grantObjects(bucket, script, { read: [ARTIFACT_KEYS.builds], list: true });
    props.secretsKey.grantDecrypt(script);
    this.projects = { fetchSource, build, script };

    const substitutions = {
      ArtifactReaderFunction: props.artifactReader.fn.functionArn,
      ConnectorPublisherFunction: props.connectorPublisher.fn.functionArn,
      DeploymentPrepareFunction: props.deploymentPrepare.fn.functionArn,
      DeploymentStepsFunction: props.deploymentSteps.fn.functionArn,
      FetchSourceProject: fetchSource.projectName,
      BuildProject: build.projectName,
      ScriptProject: script.projectName,
    };
    const machine = (name: string, invoked: SlipwayFunction[], projects: Project[]) => {
      const sm = new StateMachine(this, name, {
        definitionBody: DefinitionBody.fromString(
          definitionText(name === 'Publish' ? 'publish-connector' : name.toLowerCase()),
        ),
        definitionSubstitutions: substitutions,
        timeout: Duration.hours(1),
        tracingEnabled: true,
        logs: {
          destination: new LogGroup(this, `${name}Logs`, { retention: RetentionDays.ONE_MONTH }),
          level: LogLevel.ALL,
          includeExecutionData: true,
        },
      });
      // Inlined definitions grant nothing by themselves: each Task's target, explicitly.
      for (const fn of invoked) fn.fn.grantInvoke(sm);
      for (const project of projects) {
        sm.addToRolePolicy(
          new PolicyStatement({
            actions: ['codebuild:StartBuild', 'codebuild:StopBuild', 'codebuild:BatchGetBuilds'],
            resources: [project.projectArn],
          }),
        );
      }
      if (projects.length > 0) {
        // `.sync` waits through a rule Step Functions manages in the account.
        sm.addToRolePolicy(
          new PolicyStatement({
            effect: Effect.ALLOW,
            actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
            resources: [
              Stack.of(this).formatArn({
                service: 'events',
                resource: 'rule',
                resourceName: 'StepFunctionsGetEventForCodeBuildStartBuildRule',
              }),
            ],
          }),
        );
      }
      return sm;
    };
    this.publish = machine('Publish', [props.artifactReader, props.connectorPublisher], [fetchSource]);
    this.deploy = machine(
      'Deploy',
      [props.artifactReader, props.deploymentPrepare, props.deploymentSteps],
      [build, script],
    );
    this.undeploy = machine('Undeploy', [props.deploymentSteps], [script]);
  }
}
