/**
 * Tenant isolation of hosted applications on AWS, checked offline. The AWS hosting adapter
 * hosts an event application and a job for tenant A and for tenant B with IAM, Lambda, SQS,
 * SNS and EventBridge Scheduler mocked (aws-sdk-client-mock: they have no local stand-in), and
 * what it asks them to make is captured: each deployment's role, that role's policy, and its
 * queue's policy. A real IAM evaluator (`@cloud-copilot/iam-simulate`, as in
 * permissions.test.ts) then decides requests made as each role, with the permissions boundary,
 * the secrets key's policy and the scheduler's role taken from the synthesized templates (the
 * adapter is given the settings the stack gives the hosting functions). Each role reaches its
 * own queue, log group and secured configuration, and nothing of the other tenant's. The
 * hosting functions' own grants are checked too: they may make roles only under the hosted
 * path and only with the boundary.
 */
import {
  CreateRoleCommand,
  type CreateRoleCommandInput,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  type CreateFunctionCommandInput,
  LambdaClient,
  ListEventSourceMappingsCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { awsHosting } from '../../functions/adapters/hosting/aws/hosting.ts';
import { HOSTED_ASSETS_PREFIX, HOSTED_NAME_PREFIX } from '../../functions/wiring/hosted-names.ts';
import { ACCOUNT, type PolicyDocument, REGION, Resolver, synthesize } from './aws/template.ts';

// The region the adapter's clients make resources in, as the templates are resolved.
vi.stubEnv('AWS_REGION', REGION);

const lambda = mockClient(LambdaClient);
const iam = mockClient(IAMClient);
const sns = mockClient(SNSClient);
const sqs = mockClient(SQSClient);
const scheduler = mockClient(SchedulerClient);

const regional = (service: string, rest: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${rest}`;

/** What the adapter made for one tenant's deployment. */
interface Hosted {
  tenant: string;
  deploymentId: string;
  roleArn: string;
  rolePolicy: PolicyDocument;
  boundaryArn: string;
  queueArn: string;
  queuePolicy: PolicyDocument;
  /** The event application's function (its queue and topic share its name). */
  functionName: string;
  scheduleArn: string;
}

const TENANTS = [
  { tenant: 'tenantaaaa', deploymentId: '0198c0de-0000-7000-8000-00000000000a' },
  { tenant: 'tenantbbbb', deploymentId: '0198c0de-0000-7000-8000-00000000000b' },
] as const;

let resolver: Resolver;
let boundary: PolicyDocument;
let keyArn: string;
let keyPolicy: PolicyDocument;
const hosted = new Map<string, Hosted>();
/** The identity policies of a role of the templates, by the variable that names it or its function. */
let policiesOfFunction: (name: string) => { name: string; policy: PolicyDocument }[];
let schedulerPolicies: { name: string; policy: PolicyDocument }[];
let schedulerRoleArn: string;

/** The Lambda function of the templates called `name` (its logical id without the hash). */
const functionNamed = (name: string) => {
  for (const found of resolver.ofType('AWS::Lambda::Function'))
    if (resolver.nameOf(found.id) === name) return found;
  throw new Error(`no function ${name} in the templates`);
};

const environmentOf = (name: string) => {
  const { stack, resource } = functionNamed(name);
  const { Environment } = (resource.Properties ?? {}) as { Environment?: { Variables: unknown } };
  return resolver.resolve(Environment?.Variables ?? {}, stack) as Record<string, string>;
};

const policiesOfRole = (stack: string, roleId: string) =>
  resolver.policiesOf(stack, roleId).map((p) => ({ name: p.name, policy: p.document }));

/** The adapter's calls answered as AWS would, with ARNs of the templates' account and region. */
const answerLikeAws = () => {
  iam.on(CreateRoleCommand).callsFake(async (input: CreateRoleCommandInput) => ({
    Role: { Arn: `arn:aws:iam::${ACCOUNT}:role${input.Path}${input.RoleName}` },
  }));
  iam.on(PutRolePolicyCommand).resolves({});
  lambda.on(CreateFunctionCommand).callsFake(async (input: CreateFunctionCommandInput) => ({
    FunctionArn: regional('lambda', `function:${input.FunctionName}`),
  }));
  lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
  lambda.on(CreateEventSourceMappingCommand).resolves({});
  sns.on(CreateTopicCommand).callsFake(async ({ Name }: { Name: string }) => ({
    TopicArn: regional('sns', Name),
  }));
  sns.on(SubscribeCommand).resolves({});
  sqs.on(CreateQueueCommand).callsFake(async ({ QueueName }: { QueueName: string }) => ({
    QueueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${QueueName}`,
  }));
  sqs.on(GetQueueAttributesCommand).callsFake(async ({ QueueUrl }: { QueueUrl: string }) => ({
    Attributes: { QueueArn: regional('sqs', QueueUrl.slice(QueueUrl.lastIndexOf('/') + 1)) },
  }));
  sqs.on(SetQueueAttributesCommand).resolves({});
  scheduler.on(CreateScheduleGroupCommand).resolves({});
  scheduler.on(CreateScheduleCommand).resolves({});
};

/** Hosts tenant's event application and job, and captures what the adapter made for them. */
const hostFor = async ({ tenant, deploymentId }: (typeof TENANTS)[number]): Promise<Hosted> => {
  for (const mock of [lambda, iam, sns, sqs, scheduler]) mock.resetHistory();
  const environment = environmentOf('DeploymentStepsFunction');
  // What functions/wiring/hosting.ts gives the adapter from the hosting functions' environment.
  const adapter = awsHosting(
    {
      bucket: environment.SLIPWAY_BUCKET_NAME ?? '',
      assetsBucket: environment.SLIPWAY_ASSETS_BUCKET_NAME ?? '',
      roleBoundaryArn: environment.SLIPWAY_HOSTING_ROLE_BOUNDARY_ARN ?? '',
      schedulerRoleArn: environment.SLIPWAY_HOSTING_SCHEDULER_ROLE_ARN ?? '',
      webAdapterLayerArn: environment.SLIPWAY_WEB_ADAPTER_LAYER_ARN ?? '',
      assetsPrefix: HOSTED_ASSETS_PREFIX,
      assetsBaseUrl: environment.SLIPWAY_ASSETS_BASE_URL ?? '',
      kmsKeyArn: environment.SLIPWAY_KMS_KEY_ID ?? '',
      namePrefix: HOSTED_NAME_PREFIX,
    },
    { waitUntilReady: async () => {}, sleep: async () => {} },
  );
  const common = {
    tenant,
    projectId: `project-of-${tenant}`,
    deploymentId,
    buildId: `build-of-${tenant}`,
    bundle: `deployments/${deploymentId}/builds/app.zip`,
    environment: { SECURED: `secret of ${tenant}` },
  };
  await adapter.host({ ...common, applicationName: 'orders', applicationType: 'event', endpoint: '/events' });
  await adapter.host({
    ...common,
    applicationName: 'nightly',
    applicationType: 'job',
    endpoint: '/run',
    schedule: '0 3 * * *',
  });

  const role = iam.commandCalls(CreateRoleCommand)[0]?.args[0].input;
  const policies = iam.commandCalls(PutRolePolicyCommand).map((c) => c.args[0].input.PolicyDocument);
  const queuePolicy = sqs.commandCalls(SetQueueAttributesCommand)[0]?.args[0].input.Attributes?.Policy;
  const functionName = lambda.commandCalls(CreateFunctionCommand)[0]?.args[0].input.FunctionName;
  const schedule = scheduler.commandCalls(CreateScheduleCommand)[0]?.args[0].input;
  if (!role?.RoleName || !policies[0] || !queuePolicy || !functionName || !schedule)
    throw new Error(`the adapter made no role, queue or schedule for ${tenant}`);
  // Every application of the deployment runs as the same role, given the same policy.
  expect(new Set(policies).size).toBe(1);
  expect(new Set(lambda.commandCalls(CreateFunctionCommand).map((c) => c.args[0].input.Role))).toEqual(
    new Set([`arn:aws:iam::${ACCOUNT}:role${role.Path}${role.RoleName}`]),
  );
  return {
    tenant,
    deploymentId,
    roleArn: `arn:aws:iam::${ACCOUNT}:role${role.Path}${role.RoleName}`,
    rolePolicy: JSON.parse(policies[0]) as PolicyDocument,
    boundaryArn: role.PermissionsBoundary ?? '',
    queueArn: regional('sqs', functionName),
    queuePolicy: JSON.parse(queuePolicy) as PolicyDocument,
    functionName,
    scheduleArn: regional('scheduler', `schedule/${schedule.GroupName}/${schedule.Name}`),
  };
};

beforeAll(async () => {
  resolver = new Resolver(synthesize());
  const boundaries = [...resolver.ofType('AWS::IAM::ManagedPolicy')].filter(
    ({ id }) => resolver.nameOf(id) === 'HostingHostedRoleBoundary',
  );
  const [found] = boundaries;
  if (!found || boundaries.length !== 1)
    throw new Error('the templates have no (single) hosted role boundary');
  boundary = resolver.resolve(found.resource.Properties?.PolicyDocument, found.stack) as PolicyDocument;
  const key = [...resolver.ofType('AWS::KMS::Key')].find(({ id }) => resolver.nameOf(id) === 'SecretsKey');
  if (!key) throw new Error('the templates have no secrets key');
  keyArn = String(resolver.resolve({ 'Fn::GetAtt': [key.id, 'Arn'] }, key.stack));
  keyPolicy = resolver.resolve(key.resource.Properties?.KeyPolicy, key.stack) as PolicyDocument;
  policiesOfFunction = (name) => {
    const { stack, resource } = functionNamed(name);
    const { Role } = (resource.Properties ?? {}) as { Role?: { 'Fn::GetAtt': [string, string] } };
    if (!Role) throw new Error(`${name} has no role`);
    return policiesOfRole(stack, Role['Fn::GetAtt'][0]);
  };
  schedulerRoleArn = environmentOf('DeploymentStepsFunction').SLIPWAY_HOSTING_SCHEDULER_ROLE_ARN ?? '';
  const schedulerRole = resolver.find('AWS::IAM::Role', schedulerRoleArn, 'Arn');
  if (!schedulerRole) throw new Error('the templates have no scheduler role');
  schedulerPolicies = policiesOfRole(schedulerRole.stack, schedulerRole.id);

  answerLikeAws();
  for (const t of TENANTS) hosted.set(t.tenant, await hostFor(t));
}, 180_000);

/**
 * iam-simulate checks context keys against AWS's catalogue and admits variable families only
 * in the `family/key` form (`aws:RequestTag/<key>`), not KMS's `kms:EncryptionContext:<key>`,
 * which it would drop. So those keys are renamed to `aws:RequestTag/<key>` in the policies and
 * the request alike: the same operators compare the same values, and a misspelt key still
 * matches nothing.
 */
const kmsContextRenamed = <T>(value: T): T =>
  JSON.parse(JSON.stringify(value).replaceAll('"kms:EncryptionContext:', '"aws:RequestTag/')) as T;

interface Request {
  action: string;
  resource: string;
  context?: Record<string, string>;
  /** The resource's own policy: a queue's, or the key's. */
  resourcePolicy?: PolicyDocument;
}

/** The evaluator's answer to `request` made as `principal` with these policies (and the boundary, when given). */
const decide = async (
  principal: string,
  identityPolicies: { name: string; policy: PolicyDocument }[],
  request: Request,
  boundaryPolicy?: PolicyDocument,
) => {
  const result = await runSimulation(
    {
      identityPolicies: kmsContextRenamed(identityPolicies),
      ...(boundaryPolicy
        ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: kmsContextRenamed(boundaryPolicy) }] }
        : {}),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(request.resourcePolicy ? { resourcePolicy: kmsContextRenamed(request.resourcePolicy) } : {}),
      request: {
        principal,
        action: request.action,
        resource: { resource: request.resource, accountId: ACCOUNT },
        // The evaluator does not derive the caller's ARN for conditions (a queue's policy names it).
        contextVariables: kmsContextRenamed({
          'aws:PrincipalArn': principal,
          'aws:SecureTransport': 'true',
          ...request.context,
        }),
      },
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  if (result.resultType !== 'single') throw new Error(`a wildcard request: ${request.resource}`);
  // A context key the evaluator dropped would make the answer meaningless.
  expect(result.result.ignoredContextKeys ?? []).toEqual([]);
  return result.overallResult;
};

/** As the deployment's role: its own policy, capped by the boundary the adapter made it with. */
const asRole = (role: Hosted, request: Request) => {
  expect(role.boundaryArn).toBe(environmentOf('DeploymentStepsFunction').SLIPWAY_HOSTING_ROLE_BOUNDARY_ARN);
  return decide(role.roleArn, [{ name: 'deployment role', policy: role.rolePolicy }], request, boundary);
};

const logStream = (functionName: string) =>
  regional('logs', `log-group:/aws/lambda/${functionName}:log-stream:2026/01/01/stream`);
const logGroup = (functionName: string) => regional('logs', `log-group:/aws/lambda/${functionName}`);
const configurationContext = (tenant: string, deploymentId: string) => ({
  'kms:EncryptionContext:slipway:tenant': tenant,
  'kms:EncryptionContext:slipway:project': `project-of-${tenant}`,
  'kms:EncryptionContext:slipway:deployment': deploymentId,
});

/** What a deployment's functions do with their role: each must be allowed on its own resources. */
const ownRequests = (own: Hosted): [string, Request][] => [
  ...['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].map(
    (action): [string, Request] => [
      `${action} on its queue`,
      { action, resource: own.queueArn, resourcePolicy: own.queuePolicy },
    ],
  ),
  [
    'logs:CreateLogGroup on its log group',
    { action: 'logs:CreateLogGroup', resource: logGroup(own.functionName) },
  ],
  ...['logs:CreateLogStream', 'logs:PutLogEvents'].map((action): [string, Request] => [
    `${action} in its log group`,
    { action, resource: logStream(own.functionName) },
  ]),
  [
    'kms:Decrypt of its secured configuration (its tenant and deployment)',
    {
      action: 'kms:Decrypt',
      resource: keyArn,
      context: configurationContext(own.tenant, own.deploymentId),
      resourcePolicy: keyPolicy,
    },
  ],
  [
    'kms:Decrypt of its functions’ environment (as Lambda does at a cold start)',
    {
      action: 'kms:Decrypt',
      resource: keyArn,
      context: {
        'kms:EncryptionContext:aws:lambda:FunctionArn': regional('lambda', `function:${own.functionName}`),
      },
      resourcePolicy: keyPolicy,
    },
  ],
];

/** What a deployment's functions might try on another tenant's resources: each must be denied. */
const othersRequests = (own: Hosted, other: Hosted): [string, Request][] => [
  ...['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'].map(
    (action): [string, Request] => [
      `${action} on the other's queue`,
      { action, resource: other.queueArn, resourcePolicy: other.queuePolicy },
    ],
  ),
  [
    'sqs:ReceiveMessage on the other’s queue were its name to share this deployment’s 8-character hash',
    {
      action: 'sqs:ReceiveMessage',
      resource: regional('sqs', `${own.functionName}-collision`),
      // The other deployment's queue policy, as the adapter writes it for a queue of that name.
      resourcePolicy: JSON.parse(
        JSON.stringify(other.queuePolicy).replaceAll(
          other.queueArn,
          regional('sqs', `${own.functionName}-collision`),
        ),
      ) as PolicyDocument,
    },
  ],
  ...['logs:CreateLogGroup', 'logs:CreateLogStream'].map((action): [string, Request] => [
    `${action} for the other's function`,
    {
      action,
      resource:
        action === 'logs:CreateLogGroup' ? logGroup(other.functionName) : logStream(other.functionName),
    },
  ]),
  [
    'logs:PutLogEvents in the other’s log group',
    { action: 'logs:PutLogEvents', resource: logStream(other.functionName) },
  ],
  [
    'kms:Decrypt of the other’s secured configuration',
    {
      action: 'kms:Decrypt',
      resource: keyArn,
      context: configurationContext(other.tenant, other.deploymentId),
      resourcePolicy: keyPolicy,
    },
  ],
  [
    'kms:Decrypt naming its own tenant with the other’s deployment',
    {
      action: 'kms:Decrypt',
      resource: keyArn,
      context: configurationContext(own.tenant, other.deploymentId),
      resourcePolicy: keyPolicy,
    },
  ],
  [
    'kms:Decrypt naming the other’s tenant with its own deployment',
    {
      action: 'kms:Decrypt',
      resource: keyArn,
      context: configurationContext(other.tenant, own.deploymentId),
      resourcePolicy: keyPolicy,
    },
  ],
  [
    'kms:Decrypt of a value sealed before the tenant was in the context (v1), even its own',
    {
      action: 'kms:Decrypt',
      resource: keyArn,
      context: {
        'kms:EncryptionContext:slipway:project': `project-of-${own.tenant}`,
        'kms:EncryptionContext:slipway:deployment': own.deploymentId,
      },
      resourcePolicy: keyPolicy,
    },
  ],
  [
    'kms:Decrypt of the other’s functions’ environment',
    {
      action: 'kms:Decrypt',
      resource: keyArn,
      context: {
        'kms:EncryptionContext:aws:lambda:FunctionArn': regional('lambda', `function:${other.functionName}`),
      },
      resourcePolicy: keyPolicy,
    },
  ],
  ...['scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'].map((action): [string, Request] => [
    `${action} of the other’s job`,
    { action, resource: other.scheduleArn },
  ]),
  [
    'lambda:InvokeFunction of the other’s function',
    { action: 'lambda:InvokeFunction', resource: regional('lambda', `function:${other.functionName}`) },
  ],
  ['iam:PassRole of the other’s role', { action: 'iam:PassRole', resource: other.roleArn }],
  ['iam:PutRolePolicy on its own role', { action: 'iam:PutRolePolicy', resource: own.roleArn }],
];

const pairs = [
  ['A', 'B', TENANTS[0].tenant, TENANTS[1].tenant],
  ['B', 'A', TENANTS[1].tenant, TENANTS[0].tenant],
] as const;
const role = (tenant: string) => {
  const found = hosted.get(tenant);
  if (!found) throw new Error(`nothing hosted for ${tenant}`);
  return found;
};

describe.each(pairs)('tenant %s’s role (against tenant %s)', (_, __, ownTenant, otherTenant) => {
  it('is a role of its own, not the other’s', () => {
    expect(role(ownTenant).roleArn).not.toBe(role(otherTenant).roleArn);
    expect(role(ownTenant).roleArn).toMatch(/^arn:aws:iam::\d+:role\/slipway-hosted\/slipway-/);
  });

  it('may reach its own queue, log group and secured configuration', async () => {
    const own = role(ownTenant);
    const decisions: string[] = [];
    for (const [label, request] of ownRequests(own))
      decisions.push(`${label}: ${await asRole(own, request)}`);

    expect(decisions).toEqual(ownRequests(own).map(([label]) => `${label}: Allowed`));
  });

  it('may reach none of the other tenant’s queues, log groups, schedules, secrets or roles', async () => {
    const own = role(ownTenant);
    const other = role(otherTenant);
    const allowed: string[] = [];
    for (const [label, request] of othersRequests(own, other))
      if ((await asRole(own, request)) === 'Allowed') allowed.push(label);

    expect(allowed).toEqual([]);
    expect(othersRequests(own, other).length).toBeGreaterThan(15);
  });
});

it('lets the shared scheduler role invoke each job’s function, and do nothing else', async () => {
  for (const own of hosted.values()) {
    const fn = regional('lambda', `function:${own.functionName}`);
    expect(
      await decide(schedulerRoleArn, schedulerPolicies, { action: 'lambda:InvokeFunction', resource: fn }),
    ).toBe('Allowed');
    for (const request of [
      { action: 'sqs:ReceiveMessage', resource: own.queueArn, resourcePolicy: own.queuePolicy },
      {
        action: 'kms:Decrypt',
        resource: keyArn,
        context: configurationContext(own.tenant, own.deploymentId),
        resourcePolicy: keyPolicy,
      },
    ])
      expect(await decide(schedulerRoleArn, schedulerPolicies, request)).not.toBe('Allowed');
  }
});

it('caps a deployment’s role with the boundary even were its own policy to allow everything', async () => {
  const own = role(TENANTS[0].tenant);
  const everything: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  };
  const environment = environmentOf('DeploymentStepsFunction');
  const as = (request: Request) =>
    decide(own.roleArn, [{ name: 'everything', policy: everything }], request, boundary);

  expect(await as({ action: 'sqs:ReceiveMessage', resource: regional('sqs', 'slipway-any-queue') })).toBe(
    'Allowed',
  );
  for (const request of [
    { action: 'dynamodb:GetItem', resource: regional('dynamodb', `table/${environment.SLIPWAY_TABLE_NAME}`) },
    {
      action: 's3:GetObject',
      resource: `arn:aws:s3:::${environment.SLIPWAY_BUCKET_NAME}/deployments/x/builds/app.zip`,
    },
    { action: 'iam:CreateRole', resource: `arn:aws:iam::${ACCOUNT}:role/slipway-hosted/slipway-more` },
    {
      action: 'lambda:UpdateFunctionConfiguration',
      resource: regional('lambda', `function:${own.functionName}`),
    },
    { action: 'sqs:ReceiveMessage', resource: regional('sqs', 'someone-elses-queue') },
  ])
    expect(await as(request), `${request.action} on ${request.resource}`).not.toBe('Allowed');
});

describe('the functions that host applications, against privilege escalation', () => {
  const roleUnder = (path: string) =>
    `arn:aws:iam::${ACCOUNT}:role${path}slipway-0198c0de-0000-7000-8000-00000000000c`;
  const hostedRole = () => roleUnder('/slipway-hosted/');
  const boundaryArn = () => environmentOf('DeploymentStepsFunction').SLIPWAY_HOSTING_ROLE_BOUNDARY_ARN ?? '';
  const withBoundary = (arn: string) => ({ 'iam:PermissionsBoundary': arn });

  it.each(['DeploymentStepsFunction', 'ReaperFunction'])(
    '%s makes, changes and deletes roles only under the hosted path and only with the stack’s boundary',
    async (name) => {
      const policies = policiesOfFunction(name);
      const as = (request: Request) =>
        decide('arn:aws:iam::123456789012:role/hosting-function', policies, request);
      const other = `arn:aws:iam::${ACCOUNT}:policy/AdministratorAccess`;

      for (const action of [
        'iam:CreateRole',
        'iam:PutRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:DeleteRole',
      ]) {
        expect(
          await as({ action, resource: hostedRole(), context: withBoundary(boundaryArn()) }),
          action,
        ).toBe('Allowed');
        expect(await as({ action, resource: hostedRole(), context: withBoundary(other) }), action).not.toBe(
          'Allowed',
        );
        expect(await as({ action, resource: hostedRole() }), action).not.toBe('Allowed');
        expect(
          await as({ action, resource: roleUnder('/'), context: withBoundary(boundaryArn()) }),
          action,
        ).not.toBe('Allowed');
      }
      const toLambda = { 'iam:PassedToService': 'lambda.amazonaws.com' };
      expect(await as({ action: 'iam:PassRole', resource: hostedRole(), context: toLambda })).toBe('Allowed');
      expect(
        await as({
          action: 'iam:PassRole',
          resource: hostedRole(),
          context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
        }),
      ).not.toBe('Allowed');
      expect(await as({ action: 'iam:PassRole', resource: roleUnder('/'), context: toLambda })).not.toBe(
        'Allowed',
      );
      for (const action of [
        'iam:DeleteRolePermissionsBoundary',
        'iam:PutRolePermissionsBoundary',
        'iam:AttachRolePolicy',
        'iam:UpdateAssumeRolePolicy',
      ])
        expect(
          await as({ action, resource: hostedRole(), context: withBoundary(boundaryArn()) }),
          action,
        ).toBe('ExplicitlyDenied');
      for (const action of ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:SetDefaultPolicyVersion'])
        expect(await as({ action, resource: boundaryArn() }), action).toBe('ExplicitlyDenied');
    },
    60_000,
  );
});
