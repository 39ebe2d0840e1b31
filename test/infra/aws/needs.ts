/**
 * What each principal of the templates needs to be allowed: the operations its code sends
 * (from `code.ts`) on the resources they target, what those imply (KMS for encrypted data,
 * `iam:PassRole` for roles handed over, tag-on-create), and what its runtime does (logs,
 * traces, a workflow's tasks). Resources come from the function's own environment, as the
 * code reads them; where the code builds names or keys itself, the rules below say which.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { rolePathOf } from '../../../functions/adapters/hosting/aws/resources.ts';
import {
  artifactObjectKey,
  fetchFailureObjectKey,
  gitArchiveObjectKey,
} from '../../../functions/core/connectors/actions.ts';
import { deploymentArtifactKey } from '../../../functions/core/deployments/create.ts';
import { UPLOAD_KEY_PATTERN } from '../../../functions/core/uploads/uploads.ts';
import {
  CONSOLE_PREFIX,
  HOSTED_ASSETS_PREFIX,
  HOSTED_NAME_PREFIX,
} from '../../../functions/wiring/hosted-names.ts';
import { type AwsCall, type EntryCode, JOBS_ENTRY, ROOT, SERVICES } from './code.ts';
import type { ConfigVariable } from './config-vars.ts';
import { ACCOUNT, type CfnResource, REGION, type Resolver } from './template.ts';

export type PrincipalKind = 'Lambda' | 'CodeBuild' | 'Step Functions' | 'IAM role';

export interface Principal {
  kind: PrincipalKind;
  /** The handler's name for functions, the construct's name otherwise. */
  name: string;
  stack: string;
  id: string;
  roleId: string;
  roleArn: string;
  environment: Record<string, string>;
  /** What runs there: a handler's or the jobs' code. */
  code?: EntryCode;
  /** For roles: who hands them over. */
  note?: string;
}

export interface Need {
  /** The role that must allow it. */
  roleArn: string;
  action: string;
  /** The ARN (pattern) needed, e.g. `arn:aws:s3:::artifacts/*`: what the table and messages show. */
  pattern: string;
  /** The concrete ARN the simulator is asked about (each `*` of the pattern becomes `example`). */
  resource: string;
  context: Record<string, string>;
  /** `file:line` of the call, or where the template asks for it. */
  site: string;
  origin: 'code' | 'implied' | 'runtime';
}

/** Granted actions a principal may have without code using them, with the reason. */
export interface Tolerated {
  roleArn: string;
  action: RegExp;
  pattern: RegExp;
  reason: string;
}

export interface Analysis {
  principals: Principal[];
  needs: Need[];
  tolerated: Tolerated[];
}

const pascal = (name: string) => name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
const regional = (service: string, rest: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${rest}`;
const concrete = (pattern: string) => (pattern === '*' ? '*' : pattern.replaceAll('*', 'example'));
const hostedName = `${HOSTED_NAME_PREFIX}-*`;
const hostedFunction = regional('lambda', `function:${hostedName}`);
/** The deployments' roles, which the hosting functions make (functions/adapters/hosting/aws/roles.ts). */
const hostedRole = `arn:aws:iam::${ACCOUNT}:role${rolePathOf(HOSTED_NAME_PREFIX)}${hostedName}`;
/** The variable naming the permissions boundary every deployment's role must be made with. */
const BOUNDARY = 'SLIPWAY_HOSTING_ROLE_BOUNDARY_ARN';

/** An S3 call's target: the action it needs on which bucket (a variable naming it) and keys. */
interface S3Target {
  action: string;
  bucket: string;
  /** The key pattern; none for a bucket-level action (ListBucket). */
  key?: string;
  /**
   * Only for these principals: where the keys depend on the caller (which use case reaches
   * the call). A principal no target names gets `S3_DEFAULT`, on any key.
   */
  principals?: readonly string[];
  /** The key never exists (a probe): S3 decrypts nothing. */
  absent?: true;
  /** Decrypts though not a GetObject: HeadObject with ChecksumMode reads an SSE-KMS object's checksum. */
  decrypts?: true;
}

const ARTIFACTS = 'SLIPWAY_BUCKET_NAME';
const HOSTED = 'SLIPWAY_ASSETS_BUCKET_NAME';
/** The artifacts bucket's keys, from the functions the code names them with. */
const KEYS = {
  uploads: UPLOAD_KEY_PATTERN,
  connectorArtifacts: artifactObjectKey('*', '*'),
  connectorSources: gitArchiveObjectKey('*', '*'),
  fetchFailures: fetchFailureObjectKey(gitArchiveObjectKey('*', '*')),
  deploymentArtifacts: deploymentArtifactKey('*', '*'),
  /** A build's bundle: what BuildApplication's buildspec exports as BUNDLE (infra/constructs/workflows.ts). */
  bundles: 'deployments/*/builds/*',
};
/** What a deployment deploys from: its own copy of an upload, or its connector's artifact or source. */
const DEPLOYABLE = [KEYS.deploymentArtifacts, KEYS.connectorArtifacts, KEYS.connectorSources];

const objects = (
  action: string,
  principals: readonly string[],
  keys: readonly string[],
  extra: Partial<S3Target> = {},
): S3Target[] => keys.map((key) => ({ action, bucket: ARTIFACTS, key, principals, ...extra }));
/** A read whose key may be missing, answered as missing (404) only to who may list the bucket (403 otherwise). */
const listing = (principals: readonly string[]): S3Target => ({
  action: 's3:ListBucket',
  bucket: ARTIFACTS,
  principals,
});

/** The health check's probe key, read from its source (it never exists: NoSuchKey proves the bucket readable). */
const HEALTH_PROBE_KEY =
  /const S3_PROBE_KEY = '([^']+)'/.exec(
    readFileSync(join(ROOT, 'functions', 'adapters', 'health', 'dependencies.ts'), 'utf8'),
  )?.[1] ?? 'unknown-probe-key';

/** Where S3 calls go, by file and operation, when not to any key of the artifacts bucket (`S3_DEFAULT`). */
const S3_TARGETS: Record<string, Record<string, S3Target[]>> = {
  // The artifact store: which keys depends on the use case, so on the function.
  'functions/adapters/s3/artifacts.ts': {
    // presignUpload: the URL's PUT is the signer's.
    PutObject: objects('s3:PutObject', ['uploads'], [KEYS.uploads]),
    // describe (with its checksum): an upload being consumed; the artifact reader's deployment
    // copy, which may not be there yet.
    HeadObject: [
      ...objects('s3:GetObject', ['connectors'], [KEYS.uploads], { decrypts: true }),
      ...objects('s3:GetObject', ['artifact-reader'], [KEYS.uploads, KEYS.deploymentArtifacts], {
        decrypts: true,
      }),
      listing(['connectors', 'artifact-reader']),
    ],
    // computeSha256 of an upload; withLocalCopy and readText of what is deployed or checked
    // (and a failed clone's message), a missing key reading as missing.
    GetObject: [
      ...objects('s3:GetObject', ['connectors'], [KEYS.uploads]),
      ...objects('s3:GetObject', ['artifact-reader'], [KEYS.uploads, ...DEPLOYABLE, KEYS.fetchFailures]),
      ...objects('s3:GetObject', ['BuildApplication'], DEPLOYABLE),
      listing(['artifact-reader', 'BuildApplication']),
    ],
    // copy: a consumed upload to the connector's, or the deployment's, own key.
    CopyObject: [
      ...objects('s3:GetObject', ['connectors', 'artifact-reader'], [KEYS.uploads]),
      ...objects('s3:PutObject', ['connectors'], [KEYS.connectorArtifacts]),
      ...objects('s3:PutObject', ['artifact-reader'], [KEYS.deploymentArtifacts]),
    ],
  },
  // Hosting an assets application copies a build from the artifacts bucket into the
  // hosted-assets bucket under HOSTED_ASSETS_PREFIX, and removing it lists and deletes them there.
  'functions/adapters/hosting/aws/assets.ts': {
    ListObjectsV2: [
      { action: 's3:ListBucket', bucket: ARTIFACTS },
      { action: 's3:ListBucket', bucket: HOSTED },
    ],
    CopyObject: [
      { action: 's3:GetObject', bucket: ARTIFACTS, key: KEYS.bundles },
      { action: 's3:PutObject', bucket: HOSTED, key: `${HOSTED_ASSETS_PREFIX}*` },
    ],
    DeleteObjects: [{ action: 's3:DeleteObject', bucket: HOSTED, key: `${HOSTED_ASSETS_PREFIX}*` }],
  },
  // The web console's publisher writes its files to the hosted-assets bucket under console/.
  'functions/adapters/s3/console-site.ts': {
    PutObject: [{ action: 's3:PutObject', bucket: HOSTED, key: `${CONSOLE_PREFIX}*` }],
  },
  // Build retention (the reaper) lists a build's objects and deletes them, under builds/ only.
  'functions/adapters/build-files/s3-build-files.ts': {
    ListObjectsV2: [{ action: 's3:ListBucket', bucket: ARTIFACTS }],
    DeleteObjects: [{ action: 's3:DeleteObject', bucket: ARTIFACTS, key: KEYS.bundles }],
  },
  'functions/adapters/health/dependencies.ts': {
    GetObject: [
      { action: 's3:GetObject', bucket: ARTIFACTS, key: HEALTH_PROBE_KEY, absent: true },
      { action: 's3:ListBucket', bucket: ARTIFACTS },
    ],
  },
};

/**
 * The keys the state machines pass to the builds (`EnvironmentVariablesOverride`): the check's
 * archive (publish-connector.asl.json) and the bundle BuildApplication exported (deploy and
 * undeploy). The variables a buildspec assigns itself are read from it.
 */
const TASK_KEYS: Record<string, string> = {
  ARCHIVE_KEY: KEYS.connectorSources,
  BUNDLE: KEYS.bundles,
};

/** The artifacts bucket's operations: the IAM action each needs (on the bucket when no key). */
const S3_DEFAULT: Record<string, { action: string; object: boolean }[]> = {
  GetObject: [{ action: 's3:GetObject', object: true }],
  HeadObject: [{ action: 's3:GetObject', object: true }],
  PutObject: [{ action: 's3:PutObject', object: true }],
  CopyObject: [
    { action: 's3:GetObject', object: true },
    { action: 's3:PutObject', object: true },
  ],
  DeleteObjects: [{ action: 's3:DeleteObject', object: true }],
  ListObjectsV2: [{ action: 's3:ListBucket', object: false }],
};

/** A transaction's items each need their own action (there is no `dynamodb:TransactWriteItems`). */
const TRANSACTION_ITEM_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

const DYNAMODB_WRITES = /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)$/;

/** Finds the principals: every Lambda function, CodeBuild project and state machine, and the roles code hands over. */
export const findPrincipals = (resolver: Resolver, code: EntryCode[]): Principal[] => {
  const principals: Principal[] = [];
  const roleOf = (stack: string, value: unknown) => {
    const arn = String(resolver.resolve(value, stack));
    const role = resolver.find('AWS::IAM::Role', arn, 'Arn');
    if (!role) throw new Error(`No role has the ARN ${arn}`);
    return { roleId: role.id, roleArn: arn };
  };
  const variables = (stack: string, list: unknown) =>
    Object.fromEntries(
      Object.entries((resolver.resolve(list ?? {}, stack) ?? {}) as Record<string, unknown>).map(([k, v]) => [
        k,
        String(v),
      ]),
    );
  for (const { stack, id, resource } of resolver.ofType('AWS::Lambda::Function')) {
    const props = resource.Properties ?? {};
    const handler = code.find((entry) => `${pascal(entry.name)}Function` === resolver.nameOf(id));
    principals.push({
      kind: 'Lambda',
      name: handler?.name ?? resolver.nameOf(id),
      stack,
      id,
      ...roleOf(stack, props.Role),
      environment: variables(stack, (props.Environment as { Variables?: unknown } | undefined)?.Variables),
      ...(handler ? { code: handler } : {}),
    });
  }
  for (const { stack, id, resource } of resolver.ofType('AWS::CodeBuild::Project')) {
    const props = resource.Properties ?? {};
    const list = ((props.Environment as { EnvironmentVariables?: { Name: string; Value: unknown }[] })
      ?.EnvironmentVariables ?? []) as { Name: string; Value: unknown }[];
    const spec = String((props.Source as { BuildSpec?: unknown } | undefined)?.BuildSpec ?? '');
    const jobs = spec.includes(`${JOBS_ENTRY}.mjs`)
      ? code.find((entry) => entry.name === JOBS_ENTRY)
      : undefined;
    principals.push({
      kind: 'CodeBuild',
      name: resolver.nameOf(id).replace(/^Workflows/, ''),
      stack,
      id,
      ...roleOf(stack, props.ServiceRole),
      environment: Object.fromEntries(list.map((v) => [v.Name, String(resolver.resolve(v.Value, stack))])),
      ...(jobs ? { code: jobs } : {}),
    });
  }
  for (const { stack, id, resource } of resolver.ofType('AWS::StepFunctions::StateMachine'))
    principals.push({
      kind: 'Step Functions',
      name: resolver.nameOf(id).replace(/^Workflows/, ''),
      stack,
      id,
      ...roleOf(stack, resource.Properties?.RoleArn),
      environment: {},
    });
  // The role the code hands to EventBridge Scheduler (jobs). Those it hands to Lambda are made
  // at run time, one per deployment: test/unit/hosted-role-isolation.test.ts checks them.
  for (const [variable, note] of [
    ['SLIPWAY_HOSTING_SCHEDULER_ROLE_ARN', 'passed to EventBridge Scheduler for jobs and health checks'],
  ] as const) {
    const arn = principals.find((p) => p.environment[variable])?.environment[variable];
    const role = arn ? resolver.find('AWS::IAM::Role', arn, 'Arn') : undefined;
    if (!arn || !role) continue;
    principals.push({
      kind: 'IAM role',
      name: resolver.nameOf(role.id).replace(/^Hosting/, ''),
      stack: role.stack,
      id: role.id,
      roleId: role.id,
      roleArn: arn,
      environment: {},
      note,
    });
  }
  return principals;
};

/** `file:line` of the first line of `file` holding `text`, relative to the repository. */
const lineIn = (file: string, text: string): string | undefined => {
  const index = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(text));
  return index < 0 ? undefined : `${relative(ROOT, file)}:${index + 1}`;
};

/** Where in `infra/**\/*.ts` the text is (buildspec commands are written there). */
const infraLineOf = (text: string): string | undefined => {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    );
  for (const file of walk(join(ROOT, 'infra'))) {
    const site = lineIn(file, text);
    if (site) return site;
  }
  return undefined;
};

export interface Task {
  state: string;
  /** `statemachine/<file>:line` of the state. */
  site: string;
  /** The task's `Resource` (`arn:aws:states:::lambda:invoke`, …). */
  resource: string;
  /** Its `Parameters` (or `Arguments`), the definition's `${…}` substituted as deployed. */
  parameters: Record<string, unknown>;
}

/** The Task states of a state machine's definition as deployed, in every branch and map. */
export const stateMachineTasks = (resolver: Resolver, p: Principal): Task[] => {
  const props = resolver.resource(p.stack, p.id).Properties ?? {};
  const text = String(resolver.resolve(props.DefinitionString, p.stack));
  const substitutions = (resolver.resolve(props.DefinitionSubstitutions ?? {}, p.stack) ?? {}) as Record<
    string,
    string
  >;
  const file = readdirSync(join(ROOT, 'statemachine')).find(
    (f) => readFileSync(join(ROOT, 'statemachine', f), 'utf8') === text,
  );
  const substitute = (value: unknown): unknown =>
    typeof value === 'string'
      ? value.replace(/\$\{(\w+)\}/g, (_, key: string) => substitutions[key] ?? `unset-${key}`)
      : Array.isArray(value)
        ? value.map(substitute)
        : value && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v)]))
          : value;
  type State = {
    Type: string;
    Resource?: string;
    Parameters?: Record<string, unknown>;
    Arguments?: Record<string, unknown>;
    Branches?: { States: Record<string, State> }[];
    ItemProcessor?: { States: Record<string, State> };
    Iterator?: { States: Record<string, State> };
  };
  const tasks: Task[] = [];
  const walk = (states: Record<string, State>) => {
    for (const [state, definition] of Object.entries(states)) {
      for (const branch of definition.Branches ?? []) walk(branch.States);
      const inner = definition.ItemProcessor ?? definition.Iterator;
      if (inner) walk(inner.States);
      if (definition.Type !== 'Task' || !definition.Resource) continue;
      tasks.push({
        state,
        site:
          (file && lineIn(join(ROOT, 'statemachine', file), `"${state}": {`)) ??
          `the state ${state} of ${p.name}`,
        resource: definition.Resource,
        parameters: substitute(definition.Parameters ?? definition.Arguments ?? {}) as Record<
          string,
          unknown
        >,
      });
    }
  };
  walk((JSON.parse(text) as { States: Record<string, State> }).States);
  return tasks;
};

class NeedsBuilder {
  readonly needs: Need[] = [];
  readonly tolerated: Tolerated[] = [];
  /** Every variable's value anywhere in the stacks: a function missing one still targets the same resource. */
  private readonly anywhere = new Map<string, string>();

  constructor(
    private readonly resolver: Resolver,
    private readonly principals: Principal[],
    private readonly variables: Map<string, ConfigVariable>,
  ) {
    for (const p of principals)
      for (const [k, v] of Object.entries(p.environment)) if (!this.anywhere.has(k)) this.anywhere.set(k, v);
  }

  add(
    roleArn: string,
    action: string,
    pattern: string,
    site: string,
    origin: Need['origin'],
    context: Record<string, string> = {},
  ) {
    this.needs.push({ roleArn, action, pattern, resource: concrete(pattern), context, site, origin });
  }

  private env(p: Principal, variable: string): string {
    return p.environment[variable] ?? this.anywhere.get(variable) ?? `unset-${variable}`;
  }

  private roleByVariable(variable: string) {
    return this.principals.find((p) => p.kind === 'IAM role' && p.roleArn === this.anywhere.get(variable));
  }

  /** The customer-managed key a table, bucket, queue, bus or secret is encrypted with, if any. */
  private keyOf(type: string, value: string, attribute?: string): string | undefined {
    const found = this.resolver.find(type, value, attribute);
    if (!found) return undefined;
    const props = (this.resolver.resolve(found.resource.Properties ?? {}, found.stack) ?? {}) as Record<
      string,
      unknown
    >;
    const pick = (v: unknown) => (typeof v === 'string' && v.startsWith('arn:aws:kms') ? v : undefined);
    switch (type) {
      case 'AWS::DynamoDB::GlobalTable': {
        const replicas = (props.Replicas ?? []) as { SSESpecification?: { KMSMasterKeyId?: unknown } }[];
        return pick(replicas[0]?.SSESpecification?.KMSMasterKeyId);
      }
      case 'AWS::DynamoDB::Table':
        return pick((props.SSESpecification as { KMSMasterKeyId?: unknown } | undefined)?.KMSMasterKeyId);
      case 'AWS::S3::Bucket': {
        const rules = ((
          props.BucketEncryption as { ServerSideEncryptionConfiguration?: unknown[] } | undefined
        )?.ServerSideEncryptionConfiguration ?? []) as {
          ServerSideEncryptionByDefault?: { KMSMasterKeyID?: unknown };
        }[];
        return pick(rules[0]?.ServerSideEncryptionByDefault?.KMSMasterKeyID);
      }
      case 'AWS::Events::EventBus':
        return pick(props.KmsKeyIdentifier);
      case 'AWS::SecretsManager::Secret':
        return pick(props.KmsKeyId);
      default:
        return undefined;
    }
  }

  private table(p: Principal) {
    const name = this.env(p, 'SLIPWAY_TABLE_NAME');
    const found =
      this.resolver.find('AWS::DynamoDB::GlobalTable', name) ??
      this.resolver.find('AWS::DynamoDB::Table', name);
    return {
      arn: regional('dynamodb', `table/${name}`),
      key: found ? this.keyOf(found.resource.Type, name) : undefined,
    };
  }

  private bucket(p: Principal, variable: string) {
    const name = this.env(p, variable);
    return { arn: `arn:aws:s3:::${name}`, key: this.keyOf('AWS::S3::Bucket', name) };
  }

  /** An SDK call: the actions it needs on what, and what they imply. */
  codeCall(p: Principal, call: AwsCall) {
    const service = SERVICES[call.sdk]?.iam;
    const add = (action: string, pattern: string, context: Record<string, string> = {}) =>
      this.add(p.roleArn, action, pattern, call.site, 'code', context);
    const imply = (action: string, pattern: string, context: Record<string, string> = {}) =>
      this.add(p.roleArn, action, pattern, call.site, 'implied', context);
    const code = p.code;
    if (!service || !code) throw new Error(`${call.site}: no service for ${call.sdk}`);
    const op = call.operation;
    const reads = (suffix: RegExp) =>
      code.configReads.flatMap((r) => {
        if (r.uncalled) return [];
        const variable = this.variables.get(r.getter)?.variable;
        return variable && suffix.test(variable) ? [variable] : [];
      });

    switch (service) {
      case 'dynamodb': {
        const table = this.table(p);
        const actions =
          op === 'TransactWriteItems'
            ? [...(code.transactionKinds.get(call.file) ?? [])].flatMap(
                (k) => TRANSACTION_ITEM_ACTIONS[k] ?? [],
              )
            : [`dynamodb:${op}`];
        if (actions.length === 0)
          throw new Error(`${call.site}: a transaction whose items the scan cannot see`);
        for (const action of actions) {
          add(action, table.arn);
          if (action === 'dynamodb:Query')
            for (const index of new Set(code.indexNames.map((i) => i.name)))
              this.add(
                p.roleArn,
                action,
                `${table.arn}/index/${index}`,
                code.indexNames.find((i) => i.name === index)?.site ?? call.site,
                'code',
              );
          // DynamoDB decrypts the table key on the caller's behalf for every item operation.
          if (table.key && action !== 'dynamodb:DescribeTable') imply('kms:Decrypt', table.key);
          if (table.key && DYNAMODB_WRITES.test(action))
            this.tolerated.push({
              roleArn: p.roleArn,
              action: /^kms:(Encrypt|ReEncrypt.*|GenerateDataKey.*)$/,
              pattern: new RegExp(`^${table.key}$`),
              reason:
                "CDK's grantReadWriteData grants them on a customer-managed table key; DynamoDB asks only Decrypt of callers",
            });
        }
        return;
      }
      case 's3': {
        const rules = S3_TARGETS[call.file]?.[op];
        const mine = rules?.filter((t) => !t.principals || t.principals.includes(p.name)) ?? [];
        const targets: S3Target[] =
          mine.length > 0
            ? mine
            : (S3_DEFAULT[op] ?? []).map((t) => ({
                action: t.action,
                bucket: ARTIFACTS,
                ...(t.object ? { key: '*' } : {}),
              }));
        if (targets.length === 0) throw new Error(`${call.site}: no S3 rule for ${op}`);
        for (const target of targets) {
          const bucket = this.bucket(p, target.bucket);
          add(target.action, target.key === undefined ? bucket.arn : `${bucket.arn}/${target.key}`);
          if (!bucket.key) continue;
          const reads = target.action === 's3:GetObject' && (op !== 'HeadObject' || target.decrypts);
          if (reads && !target.absent) imply('kms:Decrypt', bucket.key);
          if (target.action === 's3:PutObject') imply('kms:GenerateDataKey', bucket.key);
        }
        return;
      }
      case 'states': {
        const machines = reads(/_STATE_MACHINE_ARN$/).map((v) => this.env(p, v));
        if (machines.length === 0) throw new Error(`${call.site}: ${op} without a state machine getter`);
        for (const machine of new Set(machines))
          add(
            `states:${op}`,
            /Execution$/.test(op) && op !== 'StartExecution'
              ? `${machine.replace(':stateMachine:', ':execution:')}:*`
              : machine,
          );
        return;
      }
      case 'kms':
        add(`kms:${op}`, this.env(p, 'SLIPWAY_KMS_KEY_ID'));
        return;
      case 'events': {
        const name = this.env(p, 'SLIPWAY_EVENT_BUS_NAME');
        add(`events:${op}`, regional('events', `event-bus/${name}`));
        const key = this.keyOf('AWS::Events::EventBus', name);
        if (key) imply('kms:GenerateDataKey', key);
        return;
      }
      case 'secretsmanager': {
        const arn = this.env(p, 'SLIPWAY_JWT_SECRET_ARN');
        add(`secretsmanager:${op}`, arn);
        const key = this.keyOf('AWS::SecretsManager::Secret', arn);
        if (key) imply('kms:Decrypt', key);
        return;
      }
      case 'cloudfront':
        add(
          `cloudfront:${op}`,
          `arn:aws:cloudfront::${ACCOUNT}:distribution/${this.env(p, 'SLIPWAY_DISTRIBUTION_ID')}`,
        );
        return;
      case 'tag':
        add(`tag:${op}`, '*');
        return;
      case 'iam': {
        // Only roles carrying the stack's boundary may be made, changed or deleted.
        const bounded = ['CreateRole', 'PutRolePolicy', 'DeleteRolePolicy', 'DeleteRole'].includes(op);
        add(`iam:${op}`, hostedRole, bounded ? { 'iam:PermissionsBoundary': this.env(p, BOUNDARY) } : {});
        if (op === 'CreateRole' && call.tagged) imply('iam:TagRole', hostedRole);
        return;
      }
      case 'lambda':
        return this.lambdaCall(p, call, add, imply);
      case 'sns': {
        const topic = regional('sns', hostedName);
        add(`sns:${op}`, topic);
        if (op === 'CreateTopic' && call.tagged) imply('sns:TagResource', topic);
        return;
      }
      case 'sqs': {
        const queue = regional('sqs', hostedName);
        add(`sqs:${op}`, queue);
        if (op === 'CreateQueue' && call.tagged) imply('sqs:TagQueue', queue);
        return;
      }
      case 'scheduler': {
        const group = regional('scheduler', `schedule-group/${hostedName}`);
        const schedule = regional('scheduler', `schedule/${hostedName}/${hostedName}`);
        if (op === 'ListSchedules') add('scheduler:ListSchedules', '*');
        else if (/ScheduleGroup$/.test(op)) {
          add(`scheduler:${op}`, group);
          if (op === 'CreateScheduleGroup' && call.tagged) imply('scheduler:TagResource', group);
        } else {
          add(`scheduler:${op}`, schedule);
          if (op === 'CreateSchedule' || op === 'UpdateSchedule') {
            imply('iam:PassRole', this.env(p, 'SLIPWAY_HOSTING_SCHEDULER_ROLE_ARN'), {
              'iam:PassedToService': 'scheduler.amazonaws.com',
            });
            // The role the schedule runs as must be allowed to invoke its target.
            const role = this.roleByVariable('SLIPWAY_HOSTING_SCHEDULER_ROLE_ARN');
            if (role) this.add(role.roleArn, 'lambda:InvokeFunction', hostedFunction, call.site, 'implied');
            // A health check's schedule invokes the health probe (functions/adapters/hosting/aws/health.ts).
            const probe = p.environment.SLIPWAY_HEALTH_PROBE_ARN;
            if (role && probe) this.add(role.roleArn, 'lambda:InvokeFunction', probe, call.site, 'implied');
          }
        }
        return;
      }
      default:
        throw new Error(`${call.site}: no resource rule for ${service}:${op} (test/infra/aws/needs.ts)`);
    }
  }

  private lambdaCall(
    p: Principal,
    call: AwsCall,
    add: (action: string, pattern: string, context?: Record<string, string>) => void,
    imply: (action: string, pattern: string, context?: Record<string, string>) => void,
  ) {
    const op = call.operation;
    // The webhook dispatcher, invoked by name after a fan-out, a ping or a retry (functions/adapters/webhooks/trigger.ts);
    // the health probe invokes hosted functions with a synthetic GET (functions/adapters/hosting/aws/health-prober.ts).
    if (op === 'Invoke')
      return add(
        'lambda:InvokeFunction',
        call.site.startsWith('functions/adapters/hosting/')
          ? hostedFunction
          : regional('lambda', `function:${this.env(p, 'SLIPWAY_WEBHOOK_DISPATCHER_FUNCTION')}`),
      );
    const byFunction = { 'lambda:FunctionArn': concrete(hostedFunction) };
    if (op === 'ListFunctions' || op === 'ListEventSourceMappings') return add(`lambda:${op}`, '*');
    if (op === 'CreateEventSourceMapping') return add('lambda:CreateEventSourceMapping', '*', byFunction);
    if (op === 'DeleteEventSourceMapping')
      return add('lambda:DeleteEventSourceMapping', regional('lambda', 'event-source-mapping:*'), byFunction);
    add(`lambda:${op}`, hostedFunction);
    const configures = op === 'CreateFunction' || op === 'UpdateFunctionConfiguration';
    if (configures) {
      imply('iam:PassRole', hostedRole, { 'iam:PassedToService': 'lambda.amazonaws.com' });
      imply('lambda:GetLayerVersion', this.env(p, 'SLIPWAY_WEB_ADAPTER_LAYER_ARN'));
      // With a customer-managed key for the environment (SLIPWAY_KMS_KEY_ID), Lambda encrypts it
      // under a grant the caller creates (for the deployment's role, which decrypts it).
      const key = p.environment.SLIPWAY_KMS_KEY_ID;
      if (key) {
        imply('kms:Encrypt', key);
        imply('kms:CreateGrant', key);
      }
    }
    if (op === 'CreateFunction' && call.tagged) imply('lambda:TagResource', hostedFunction);
    // Code in S3 is read with the caller's permissions.
    if (op === 'CreateFunction' || op === 'UpdateFunctionCode') {
      const bucket = this.bucket(p, 'SLIPWAY_BUCKET_NAME');
      imply('s3:GetObject', `${bucket.arn}/${KEYS.bundles}`);
      if (bucket.key) imply('kms:Decrypt', bucket.key);
    }
  }

  /** The `aws s3 cp|sync` commands of a buildspec: what they read and write. */
  buildspec(p: Principal, resource: CfnResource) {
    const spec = JSON.parse(
      String(
        this.resolver.resolve(
          (resource.Properties?.Source as { BuildSpec?: unknown })?.BuildSpec ?? '{}',
          p.stack,
        ),
      ),
    ) as {
      phases?: Record<string, { commands?: string[] }>;
    };
    const commands = Object.values(spec.phases ?? {}).flatMap((phase) => phase.commands ?? []);
    // What the buildspec assigns itself (`KEY="deployments/$DEPLOYMENT_ID/…"`); one assigned
    // twice, or from a command's output, is unknown (any key).
    const assigned = new Map<string, string | undefined>();
    for (const command of commands)
      for (const [, name = '', value = ''] of command.matchAll(
        /(?:^|[\s;])(?:export\s+)?([A-Z_][A-Z0-9_]*)="([^"]*)"/g,
      ))
        assigned.set(name, assigned.has(name) || value.includes('$(') ? undefined : value);
    const resolve = (text: string, depth = 0): string =>
      text.replace(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g, (_, name: string) => {
        const value = TASK_KEYS[name] ?? assigned.get(name);
        return value === undefined || depth > 4 ? '*' : resolve(value, depth + 1);
      });
    for (const command of commands)
      for (const m of command.matchAll(/aws s3 (cp|sync) ((?:"[^"]*"|\S)+) ((?:"[^"]*"|\S)+)/g)) {
        const [text, verb, from = '', to = ''] = m;
        const site = infraLineOf(text.slice(0, 40)) ?? `the buildspec of ${p.name}`;
        // `s3://$BUCKET/<key>`: the bucket's variable, and the key with its variables resolved;
        // sync reads or writes the objects under it.
        const objectsOf = (arg: string) => {
          const [, variable, key = ''] = /^"?s3:\/\/\$\{?(\w+)\}?\/?([^"]*)"?$/.exec(arg) ?? [];
          if (!variable) return undefined;
          const resolved = resolve(key);
          const pattern = verb === 'sync' && !resolved.endsWith('*') ? `${resolved}*` : resolved || '*';
          const bucket = this.bucket(p, variable);
          return { ...bucket, objects: `${bucket.arn}/${pattern}` };
        };
        const source = objectsOf(from);
        const target = objectsOf(to);
        const bucket = source ?? target;
        if (!bucket) continue;
        const add = (action: string, pattern: string, origin: Need['origin'] = 'code') =>
          this.add(p.roleArn, action, pattern, site, origin);
        if (verb === 'sync') add('s3:ListBucket', bucket.arn);
        if (source) {
          add('s3:GetObject', source.objects);
          if (source.key) add('kms:Decrypt', source.key, 'implied');
        }
        if (target) {
          add('s3:PutObject', target.objects);
          // The CLI uploads files over 8 MB in parts: completing an SSE-KMS multipart upload
          // decrypts the data key, and a failed one is aborted.
          add('s3:AbortMultipartUpload', target.objects, 'implied');
          if (target.key) {
            add('kms:GenerateDataKey', target.key, 'implied');
            add('kms:Decrypt', target.key, 'implied');
          }
        }
      }
  }

  /** A state machine's tasks, read from its definition as deployed. */
  stateMachine(p: Principal) {
    for (const task of stateMachineTasks(this.resolver, p)) {
      const add = (action: string, pattern: string) =>
        this.add(p.roleArn, action, pattern, task.site, 'code');
      const { resource, parameters } = task;
      if (/^arn:aws:states:::lambda:invoke(\.waitForTaskToken)?$/.test(resource))
        add('lambda:InvokeFunction', String(parameters.FunctionName));
      else if (/^arn:aws:states:::codebuild:startBuild(\.sync)?$/.test(resource)) {
        const project = regional('codebuild', `project/${String(parameters.ProjectName)}`);
        add('codebuild:StartBuild', project);
        if (resource.endsWith('.sync')) {
          add('codebuild:StopBuild', project);
          add('codebuild:BatchGetBuilds', project);
          // `.sync` waits through a rule Step Functions manages in the account.
          const rule = regional('events', 'rule/StepFunctionsGetEventForCodeBuildStartBuildRule');
          for (const action of ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'])
            add(action, rule);
        }
      } else if (resource.startsWith('arn:aws:states:::aws-sdk:')) {
        const [, sdkService, sdkAction = ''] = /^arn:aws:states:::aws-sdk:([^:]+):(\w+)/.exec(resource) ?? [];
        add(`${sdkService}:${sdkAction.charAt(0).toUpperCase()}${sdkAction.slice(1)}`, '*');
      } else
        throw new Error(`${task.site}: no rule for the task resource ${resource} (test/infra/aws/needs.ts)`);
    }
  }

  /** What the runtime does with the principal's role: logs, traces, build sources, log delivery. */
  runtime(p: Principal, resource: CfnResource) {
    const props = (this.resolver.resolve(resource.Properties ?? {}, p.stack) ?? {}) as Record<
      string,
      unknown
    >;
    const add = (action: string, pattern: string, site: string) =>
      this.add(p.roleArn, action, pattern, site, 'runtime');
    const tolerate = (action: RegExp, pattern: RegExp, reason: string) =>
      this.tolerated.push({ roleArn: p.roleArn, action, pattern, reason });
    if (p.kind === 'Lambda') {
      const group =
        ((props.LoggingConfig as { LogGroup?: string } | undefined)?.LogGroup ?? `/aws/lambda/${p.name}`) ||
        '';
      for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents'])
        add(action, regional('logs', `log-group:${group}:log-stream:*`), 'runtime: the function logs');
      if ((props.TracingConfig as { Mode?: string } | undefined)?.Mode === 'Active')
        for (const action of ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'])
          add(action, '*', 'runtime: active tracing'); // A queue that feeds the function (the webhook fan-out): Lambda's poller reads and deletes its messages as the function.
      for (const { resource: mapping } of this.resolver.ofType('AWS::Lambda::EventSourceMapping')) {
        const m = (this.resolver.resolve(mapping.Properties ?? {}, p.stack) ?? {}) as Record<string, unknown>;
        const queue = String(m.EventSourceArn ?? '');
        if (
          !queue.startsWith('arn:aws:sqs:') ||
          !String(m.FunctionName ?? '').includes(String(this.resolver.resolve({ Ref: p.id }, p.stack)))
        )
          continue;
        for (const action of [
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueAttributes',
        ])
          add(action, queue, 'runtime: the queue that feeds it (event source mapping)');
      }
    }
    if (p.kind === 'CodeBuild') {
      const group = `/aws/codebuild/${String(this.resolver.resolve({ Ref: p.id }, p.stack))}`;
      add('logs:CreateLogGroup', regional('logs', `log-group:${group}`), 'runtime: the build logs');
      for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents'])
        add(action, regional('logs', `log-group:${group}:log-stream:*`), 'runtime: the build logs');
      const source = props.Source as { Type?: string; Location?: string } | undefined;
      if (source?.Type === 'S3' && source.Location)
        add('s3:GetObject', `arn:aws:s3:::${source.Location}`, 'runtime: the build source');
      tolerate(
        /^codebuild:(CreateReportGroup|CreateReport|UpdateReport|BatchPutTestCases|BatchPutCodeCoverages)$/,
        /:report-group\//,
        "CDK's Project always grants test reports; the buildspecs declare none",
      );
      const key = props.EncryptionKey;
      if (typeof key === 'string')
        tolerate(
          /^kms:/,
          new RegExp(`^${key}$`),
          "CDK's Project grants its own encryption key (CodeBuild encrypts what it keeps of a build)",
        );
    }
    if (p.kind === 'Step Functions') {
      if (props.LoggingConfiguration)
        for (const action of [
          'logs:CreateLogDelivery',
          'logs:GetLogDelivery',
          'logs:UpdateLogDelivery',
          'logs:DeleteLogDelivery',
          'logs:ListLogDeliveries',
          'logs:PutResourcePolicy',
          'logs:DescribeResourcePolicies',
          'logs:DescribeLogGroups',
        ])
          add(action, '*', 'runtime: execution logs (vended log delivery)');
      if ((props.TracingConfiguration as { Enabled?: boolean } | undefined)?.Enabled)
        for (const action of [
          'xray:PutTraceSegments',
          'xray:PutTelemetryRecords',
          'xray:GetSamplingRules',
          'xray:GetSamplingTargets',
        ])
          add(action, '*', 'runtime: tracing');
    }
  }
}

/** Every principal's needs and tolerated grants. */
export const analyseNeeds = (
  resolver: Resolver,
  code: EntryCode[],
  variables: Map<string, ConfigVariable>,
): Analysis => {
  const principals = findPrincipals(resolver, code);
  const builder = new NeedsBuilder(resolver, principals, variables);
  for (const p of principals) {
    const resource = resolver.resource(p.stack, p.id);
    for (const call of p.code?.calls ?? []) if (!call.uncalled) builder.codeCall(p, call);
    if (p.kind === 'CodeBuild') builder.buildspec(p, resource);
    if (p.kind === 'Step Functions') builder.stateMachine(p);
    builder.runtime(p, resource);
  }
  return { principals, needs: builder.needs, tolerated: builder.tolerated };
};
