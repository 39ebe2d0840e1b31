import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { ApplicationHostingFailed } from '../../../core/hosting/errors.ts';
import type { HostingRequest } from '../../../core/hosting/ports.ts';
import { iam, lambda } from './clients.ts';
import {
  ignoring,
  isError,
  namesOf,
  roleNameOf,
  rolePathOf,
  TAG_DEPLOYMENT,
  TAG_TENANT,
  tagList,
} from './resources.ts';
import type { AwsHostingContext } from './settings.ts';

/**
 * Each deployment's functions run as a role of their own, so that one tenant's code can reach
 * nothing of another's: made when the deployment's first function is, its policy rewritten
 * each time one is hosted, and deleted when the whole deployment stops (its schedule group's
 * lifetime). One role per deployment rather than per tenant: it lives exactly as long as the
 * resources it reaches, which are all named after the deployment, so its policy can name them
 * and nothing has to count a tenant's users of a shared role (another project of the tenant
 * may be hosting while one stops). Every role is made under `rolePathOf` with the stack's
 * permissions boundary, which caps it whatever its own policy says; the hosting functions may
 * create, change, pass and delete roles nowhere else and with no other boundary.
 */

const POLICY_NAME = 'hosted-applications';

const TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/**
 * What IAM accepts as a tag value. A tenant id is one (Slipway's are letters and digits), and
 * so never holds the `$` that would start a policy variable in the role's conditions.
 */
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;

/** Whom a deployment's role is for, and where its resources are. */
interface RoleScope {
  partition: string;
  account: string;
  /** Where the functions, queues and log groups are made. */
  region: string;
  namePrefix: string;
  tenant: string;
  deploymentId: string;
  /** The secured-configuration key, which also encrypts the functions' environment. */
  kmsKeyArn?: string;
}

/**
 * What a deployment's role may do, for that deployment only: write its functions' logs, read
 * and delete its queues' messages (what Lambda's SQS mapping polls with as the role), and
 * decrypt with the secured-configuration key only in its own encryption contexts: its
 * functions' environment (Lambda decrypts it as the role when a function starts, under a
 * grant it makes; the statement keeps a function starting without that grant) and the secured
 * configuration of its own tenant and deployment. Nothing on schedules: a job is invoked by
 * the scheduler's role, never the reverse.
 */
const deploymentRolePolicy = (scope: RoleScope) => {
  const arn = (service: string, resource: string) =>
    `arn:${scope.partition}:${service}:${scope.region}:${scope.account}:${resource}`;
  // Every function, queue and log group of the deployment starts with these (`nameOf`).
  const names = namesOf(scope.namePrefix, scope.deploymentId);
  const statements: Record<string, unknown>[] = [
    {
      Sid: 'OwnLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [
        arn('logs', `log-group:/aws/lambda/${names}*`),
        arn('logs', `log-group:/aws/lambda/${names}*:log-stream:*`),
      ],
    },
    {
      Sid: 'OwnQueues',
      Effect: 'Allow',
      Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
      Resource: arn('sqs', `${names}*`),
    },
  ];
  if (scope.kmsKeyArn)
    statements.push(
      {
        Sid: 'OwnEnvironment',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: scope.kmsKeyArn,
        Condition: {
          ArnLike: { 'kms:EncryptionContext:aws:lambda:FunctionArn': arn('lambda', `function:${names}*`) },
        },
      },
      {
        Sid: 'OwnConfiguration',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: scope.kmsKeyArn,
        Condition: {
          StringEquals: {
            'kms:EncryptionContext:slipway:tenant': scope.tenant,
            'kms:EncryptionContext:slipway:deployment': scope.deploymentId,
          },
        },
      },
    );
  return { Version: '2012-10-17', Statement: statements };
};

/** The partition and account of the boundary's ARN (`arn:aws:iam::<account>:policy/…`), the region of the clients. */
const scopeOf = async (
  { settings }: AwsHostingContext,
  request: HostingRequest,
  tenant: string,
): Promise<RoleScope> => {
  const [, partition = '', , , account = ''] = settings.roleBoundaryArn.split(':');
  if (!partition || !account) throw new Error('The role boundary must be a policy ARN');
  return {
    partition,
    account,
    region: await lambda.config.region(),
    namePrefix: settings.namePrefix,
    tenant,
    deploymentId: request.deploymentId,
    ...(settings.kmsKeyArn ? { kmsKeyArn: settings.kmsKeyArn } : {}),
  };
};

/**
 * Creates the deployment's role, or checks that the one of its name is the deployment's (an
 * earlier attempt's), then writes its policy; returns its ARN.
 */
export const ensureDeploymentRole = async (
  context: AwsHostingContext,
  request: HostingRequest,
): Promise<string> => {
  const { settings } = context;
  const { tenant } = request;
  if (!tenant || !TAG_VALUE.test(tenant) || !TAG_VALUE.test(request.deploymentId))
    throw new ApplicationHostingFailed(
      request.applicationName,
      'the deployment’s role needs the tenant owning it, as letters, digits, spaces or _.:/=+-@',
    );
  const RoleName = roleNameOf(settings.namePrefix, request.deploymentId);
  const Path = rolePathOf(settings.namePrefix);
  const tags = { [TAG_TENANT]: tenant, [TAG_DEPLOYMENT]: request.deploymentId };
  const created = await ignoring(
    iam.send(
      new CreateRoleCommand({
        RoleName,
        Path,
        AssumeRolePolicyDocument: TRUST_POLICY,
        PermissionsBoundary: settings.roleBoundaryArn,
        Description: 'Slipway: what the hosted applications of one deployment run as',
        Tags: tagList(tags),
      }),
    ),
    'EntityAlreadyExistsException',
  );
  let roleArn = created?.Role?.Arn;
  if (!roleArn) {
    const existing = (await iam.send(new GetRoleCommand({ RoleName }))).Role;
    const existingTags = new Map((existing?.Tags ?? []).map((t) => [t.Key, t.Value]));
    if (
      existing?.Path !== Path ||
      existing.PermissionsBoundary?.PermissionsBoundaryArn !== settings.roleBoundaryArn ||
      Object.entries(tags).some(([key, value]) => existingTags.get(key) !== value)
    )
      throw new ApplicationHostingFailed(
        request.applicationName,
        `a role named ${RoleName} already exists and is not this deployment's`,
      );
    roleArn = existing.Arn;
  }
  if (!roleArn) throw new Error('IAM returned no role ARN');
  await iam.send(
    new PutRolePolicyCommand({
      RoleName,
      PolicyName: POLICY_NAME,
      PolicyDocument: JSON.stringify(deploymentRolePolicy(await scopeOf(context, request, tenant))),
    }),
  );
  return roleArn;
};

/** Deletes the deployment's role once nothing runs as it; one already gone counts as deleted. */
export const removeDeploymentRole = async (namePrefix: string, deploymentId: string) => {
  const RoleName = roleNameOf(namePrefix, deploymentId);
  // IAM refuses to delete a role that still has a policy.
  await ignoring(
    iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: POLICY_NAME })),
    'NoSuchEntityException',
  );
  await ignoring(iam.send(new DeleteRoleCommand({ RoleName })), 'NoSuchEntityException');
};

/** What Lambda answers while IAM has not yet propagated a new role, or its new policy. */
const ROLE_NOT_SETTLED = /cannot be assumed by Lambda|execution role does not have permission/i;
const ROLE_SETTLE_MS = 60_000;
const ROLE_RETRY_MS = 3_000;

/**
 * Runs `call` again while Lambda refuses the role for not seeing it yet: IAM is eventually
 * consistent, and a role made a second ago is often refused (for up to about ten seconds).
 */
export const whileRoleSettles = async <T>(
  { sleep }: Pick<AwsHostingContext, 'sleep'>,
  call: () => Promise<T>,
): Promise<T> => {
  for (let waited = 0; ; waited += ROLE_RETRY_MS) {
    try {
      return await call();
    } catch (error) {
      const settling =
        isError(error, 'InvalidParameterValueException') && ROLE_NOT_SETTLED.test((error as Error).message);
      if (!settling || waited >= ROLE_SETTLE_MS) throw error;
      await sleep(ROLE_RETRY_MS);
    }
  }
};
