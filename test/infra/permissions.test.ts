/**
 * Every AWS call the deployed code can make is allowed, offline: the operations come from the
 * code (each handler's and the CodeBuild jobs' bundles, read back to the SDK commands their
 * kept source constructs), the resources from the function's environment in the synthesized
 * templates, and a real IAM evaluator decides (test/infra/aws/). Also the reverse: a write
 * action a role is granted and no code uses is a failure too.
 *
 * What is wrong today is listed below, once. The test fails on any gap or excess not listed,
 * and on any listed one that is gone (remove it from the list then), so the lists cannot go
 * stale. `UPDATE_DOCS=1` rewrites the permission table in docs/aws.md; without it the test
 * fails when the table is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossCheck, ROOT } from './aws/code.ts';
import { describeFinding, type Evaluation, evaluate, type Finding } from './aws/iam.ts';
import { type Loaded, load } from './aws/load.ts';
import { type Analysis, analyseNeeds } from './aws/needs.ts';
import { permissionTable } from './aws/table.ts';
import { type CfnTemplate, type PolicyDocument, Resolver } from './aws/template.ts';

/** Permissions the code needs and its role lacks: each action on each resource listed is a gap. */
interface Known {
  principal: string;
  actions: string[];
  resources: string[];
  reason: string;
}

const KNOWN_GAPS: Known[] = [
  // The shared composition root hands every API function whole repositories; name-based
  // reachability keeps project create/delete because other kept code calls a `.create`/`.delete`.
  {
    principal: 'authorizer',
    actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
    resources: ['dynamodb:table/Table'],
    reason:
      'projects.ts:39/54 reachable through the shared deps; the authorizer only reads: give it read-only deps',
  },
  {
    principal: 'store-streams',
    actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
    resources: ['dynamodb:table/Table'],
    reason:
      'deployments.ts:118/334 and projects.ts:39/54 reachable through the shared deps; streams only read',
  },
  // stateMachineArnOf maps every workflow, so whoever holds it can name all three state machines.
  {
    principal: 'connectors',
    actions: ['states:StartExecution'],
    resources: ['states:stateMachine:WorkflowsDeploy', 'states:stateMachine:WorkflowsUndeploy'],
    reason:
      'stateMachineArnOf reaches every workflow; connectors start only publish: wire a publish-only lookup',
  },
  {
    principal: 'connectors',
    actions: ['states:DescribeExecution'],
    resources: ['states:execution:WorkflowsPublish:*'],
    reason:
      'REAL: registry.ts asks workflows.state("publish-connector", …); the stack grants connectors only start',
  },
  {
    principal: 'connectors',
    actions: ['states:DescribeExecution'],
    resources: ['states:execution:WorkflowsDeploy:*', 'states:execution:WorkflowsUndeploy:*'],
    reason: 'stateMachineArnOf reaches every workflow; connectors describe only publish executions',
  },
  {
    principal: 'deployments',
    actions: ['states:StartExecution'],
    resources: ['states:stateMachine:WorkflowsPublish'],
    reason: 'stateMachineArnOf reaches every workflow; deployments start deploy and undeploy only',
  },
  {
    principal: 'deployments',
    actions: ['states:StopExecution', 'states:DescribeExecution'],
    resources: [
      'states:execution:WorkflowsPublish:*',
      'states:execution:WorkflowsDeploy:*',
      'states:execution:WorkflowsUndeploy:*',
    ],
    reason:
      'wiring/deployments.ts uses sfnWorkflows (start, stop, state); the stack says it only starts: use sfnWorkflowStarter, or grant',
  },
  {
    principal: 'deployments',
    actions: ['kms:Decrypt'],
    resources: ['kms:key/SecretsKey'],
    reason:
      'configuredCipher.decrypt (kms-cipher.ts:53) is in the bundle; the stack binds the key for seal only',
  },
  {
    principal: 'store-deployments',
    actions: ['states:StartExecution'],
    resources: ['states:stateMachine:WorkflowsPublish'],
    reason: 'stateMachineArnOf reaches every workflow; store deployments start deploy and undeploy only',
  },
  {
    principal: 'store-deployments',
    actions: ['states:DescribeExecution'],
    resources: [
      'states:execution:WorkflowsPublish:*',
      'states:execution:WorkflowsDeploy:*',
      'states:execution:WorkflowsUndeploy:*',
    ],
    reason: 'sfnWorkflows.state is reachable (a `.state` read elsewhere); the stack grants start only',
  },
  {
    principal: 'store-deployments',
    actions: ['kms:Decrypt'],
    resources: ['kms:key/SecretsKey'],
    reason:
      'configuredCipher.decrypt (kms-cipher.ts:53) is in the bundle; the stack binds the key for seal only',
  },
  {
    principal: 'deployment-steps',
    actions: ['kms:GenerateDataKey'],
    resources: ['kms:key/SecretsKey'],
    reason:
      'configuredCipher.encrypt (kms-cipher.ts:25) is in the bundle; the stack binds the key for open only',
  },
  {
    principal: 'reaper',
    actions: ['states:StartExecution'],
    resources: ['states:stateMachine:WorkflowsPublish'],
    reason: 'stateMachineArnOf reaches every workflow; the reaper manages deploy and undeploy only',
  },
  {
    principal: 'reaper',
    actions: ['states:StopExecution', 'states:DescribeExecution'],
    resources: ['states:execution:WorkflowsPublish:*'],
    reason: 'stateMachineArnOf reaches every workflow; the reaper manages deploy and undeploy only',
  },
  {
    principal: 'reaper',
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resources: ['kms:key/SecretsKey'],
    reason:
      'transitionDeps gives the reaper the cipher (kms-cipher.ts:25/53); it has neither grant nor SLIPWAY_KMS_KEY_ID',
  },
  {
    principal: 'upload-events',
    actions: ['s3:GetObject', 's3:PutObject'],
    resources: ['s3:artifacts/*'],
    reason:
      'uploadDeps hands it the artifacts store (artifacts.ts:31/85); it only marks uploads: narrow the deps, or bind the bucket',
  },
  {
    principal: 'BuildApplication',
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resources: ['kms:key/SecretsKey'],
    reason:
      'one jobs bundle for both projects: buildDeps.cipher is there though only the script job decrypts',
  },
  {
    principal: 'RunScript',
    actions: ['s3:PutObject'],
    resources: ['s3:artifacts/*'],
    reason: 'the artifacts store copy (artifacts.ts:85) is in the jobs bundle; scripts only read',
  },
  {
    principal: 'RunScript',
    actions: ['kms:GenerateDataKey'],
    resources: ['kms:key/SecretsKey'],
    reason: 'configuredCipher.encrypt (kms-cipher.ts:25) is in the jobs bundle; scripts only decrypt',
  },
];

/** Write actions granted (as the policy writes them) that no code uses. */
const KNOWN_EXCESS: Known[] = [
  ...['oauth-token', 'projects', 'uploads'].map((principal) => ({
    principal,
    actions: ['dynamodb:BatchWriteItem', 'dynamodb:UpdateItem'],
    resources: ['dynamodb:table/Table, dynamodb:table/Table/index/*'],
    reason: "bindTable(…, 'readWrite') grants every write (grantReadWriteData)",
  })),
  ...[
    'connectors',
    'store-projects',
    'store-deployments',
    'artifact-reader',
    'deployment-prepare',
    'upload-events',
  ].map((principal) => ({
    principal,
    actions: ['dynamodb:BatchWriteItem'],
    resources: ['dynamodb:table/Table, dynamodb:table/Table/index/*'],
    reason: "bindTable(…, 'readWrite') grants BatchWriteItem; only deployment logs batch-write",
  })),
  {
    principal: 'connector-publisher',
    actions: ['dynamodb:BatchWriteItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    resources: ['dynamodb:table/Table, dynamodb:table/Table/index/*'],
    reason: "bindTable(…, 'readWrite'); the publisher puts (transactions included) and reads",
  },
  {
    principal: 'openapi',
    actions: ['kms:Decrypt'],
    resources: ['kms:key/DataKey'],
    reason: 'the table is bound to every API function; the OpenAPI document reads nothing',
  },
  ...['uploads', 'connectors', 'artifact-reader'].map((principal) => ({
    principal,
    actions: [
      's3:DeleteObject*',
      's3:PutObjectLegalHold',
      's3:PutObjectRetention',
      's3:PutObjectTagging',
      's3:PutObjectVersionTagging',
      's3:Abort*',
    ],
    resources: ['s3:artifacts, s3:artifacts/*'],
    reason: "bindBucket(…, 'readWrite') is grantReadWrite; the code gets, heads, puts and copies",
  })),
  {
    principal: 'BuildApplication',
    actions: [
      's3:DeleteObject*',
      's3:PutObjectLegalHold',
      's3:PutObjectRetention',
      's3:PutObjectTagging',
      's3:PutObjectVersionTagging',
    ],
    resources: ['s3:artifacts, s3:artifacts/*'],
    reason: 'bucket.grantReadWrite(build); the build reads the artifact and uploads its output',
  },
  {
    principal: 'FetchSource',
    actions: [
      's3:PutObjectLegalHold',
      's3:PutObjectRetention',
      's3:PutObjectTagging',
      's3:PutObjectVersionTagging',
    ],
    resources: ['s3:artifacts/*'],
    reason: 'bucket.grantPut; the buildspec only copies objects up',
  },
  {
    principal: 'FetchSource',
    actions: ['kms:Encrypt', 'kms:ReEncrypt*'],
    resources: ['kms:key/DataKey'],
    reason: 'bucket.grantPut on an SSE-KMS bucket; S3 asks GenerateDataKey and Decrypt',
  },
  ...['deployments', 'store-deployments'].map((principal) => ({
    principal,
    actions: ['kms:Encrypt', 'kms:ReEncrypt*'],
    resources: ['kms:key/SecretsKey'],
    reason: "bindSecrets(…, 'seal') is grantEncrypt; sealing uses GenerateDataKey only (kms-cipher.ts)",
  })),
  ...['deployment-steps', 'reaper'].map((principal) => ({
    principal,
    actions: [
      's3:PutObjectLegalHold',
      's3:PutObjectRetention',
      's3:PutObjectTagging',
      's3:PutObjectVersionTagging',
      's3:Abort*',
    ],
    resources: ['s3:hostedassets, s3:hostedassets/hosted-assets/*'],
    reason: 'hosting.bind: assetsBucket.grantReadWrite; hosting copies and deletes assets',
  })),
  {
    principal: 'reaper',
    actions: ['kms:Encrypt', 'kms:CreateGrant'],
    resources: ['kms:key/SecretsKey'],
    reason:
      'hosting.bind grants them for hosted environments; the reaper has no SLIPWAY_KMS_KEY_ID, so passes no key',
  },
  {
    principal: 'HostedFunctionRole',
    actions: ['sqs:ChangeMessageVisibility'],
    resources: ['sqs:slipway-*'],
    reason: 'an SQS event source needs Receive/Delete/GetQueueAttributes; nothing of ours changes visibility',
  },
];

const DOCS = join(ROOT, 'docs', 'aws.md');
const BEGIN = '<!-- permissions:begin -->';
const END = '<!-- permissions:end -->';

let loaded: Loaded;
let analysis: Analysis;
let evaluation: Evaluation;

beforeAll(async () => {
  loaded = await load();
  analysis = analyseNeeds(loaded.resolver, loaded.code, loaded.variables);
  evaluation = await evaluate(loaded.resolver, analysis);
}, 180_000);

const key = (principal: string, action: string, resource: string) => `${principal} | ${action} | ${resource}`;

/** Findings not in `known`, and `known` entries that are no longer findings. */
const compare = (findings: Finding[], known: Known[]) => {
  const expected = new Set(
    known.flatMap((k) => k.actions.flatMap((a) => k.resources.map((r) => key(k.principal, a, r)))),
  );
  const found = new Set(findings.map((f) => key(f.principal, f.action, f.resource)));
  return {
    unexpected: findings
      .filter((f) => !expected.has(key(f.principal, f.action, f.resource)))
      .map(describeFinding),
    stale: [...expected].filter((k) => !found.has(k)),
  };
};

describe('AWS permissions', () => {
  it('reads from the source the operations the bundles hold, no more and no fewer', () => {
    expect(loaded.code.flatMap(crossCheck)).toEqual([]);
    expect(loaded.code.filter((entry) => entry.calls.length > 0).length).toBeGreaterThan(10);
  });

  it('checks every Lambda function, CodeBuild project and state machine of the templates', () => {
    const count = (type: string) => [...loaded.resolver.ofType(type)].length;
    const kinds = (kind: string) => analysis.principals.filter((p) => p.kind === kind).length;

    expect(kinds('Lambda')).toBe(count('AWS::Lambda::Function'));
    expect(kinds('CodeBuild')).toBe(count('AWS::CodeBuild::Project'));
    expect(kinds('Step Functions')).toBe(count('AWS::StepFunctions::StateMachine'));
    // Every function runs one of our handlers.
    expect(analysis.principals.filter((p) => p.kind === 'Lambda' && !p.code).map((p) => p.name)).toEqual([]);
  });

  it('asks the evaluator only well-formed questions (known actions, resources of the right type)', () => {
    expect(evaluation.errors).toEqual([]);
  });

  it('allows every AWS call the code makes, except the known gaps', () => {
    const { unexpected, stale } = compare(evaluation.gaps, KNOWN_GAPS);

    expect(unexpected, 'Calls the roles do not allow (principal: action on resource (call sites))').toEqual(
      [],
    );
    expect(stale, 'KNOWN_GAPS entries that are allowed now: remove them').toEqual([]);
  });

  it('grants no write action that no code uses, except the known excess', () => {
    const { unexpected, stale } = compare(evaluation.excess, KNOWN_EXCESS);

    expect(unexpected, 'Write actions granted and never used').toEqual([]);
    expect(stale, 'KNOWN_EXCESS entries that are no longer granted (or are used now): remove them').toEqual(
      [],
    );
  });

  it('names the function, action, resource and call site when a grant the code needs is removed', async () => {
    // Arrange: the deployments function's role without its states:StartExecution statements.
    const templates = structuredClone(loaded.templates);
    const deployments = analysis.principals.find((p) => p.name === 'deployments' && p.kind === 'Lambda');
    if (!deployments) throw new Error('no deployments function');
    const stateless = templates[deployments.stack] as CfnTemplate;
    for (const resource of Object.values(stateless.Resources)) {
      if (resource.Type !== 'AWS::IAM::Policy') continue;
      const props = resource.Properties as { Roles: unknown[]; PolicyDocument: PolicyDocument };
      if (!props.Roles.some((r) => JSON.stringify(r) === JSON.stringify({ Ref: deployments.roleId })))
        continue;
      props.PolicyDocument.Statement = props.PolicyDocument.Statement.filter(
        (s) => ![s.Action].flat().includes('states:StartExecution'),
      );
    }
    const resolver = new Resolver(templates);
    const source = readFileSync(join(ROOT, 'functions', 'adapters', 'sfn', 'workflows.ts'), 'utf8').split(
      '\n',
    );
    const site = `functions/adapters/sfn/workflows.ts:${source.findIndex((l) => l.includes('new StartExecutionCommand(')) + 1}`;

    // Act
    const planted = await evaluate(resolver, analyseNeeds(resolver, loaded.code, loaded.variables));
    const { unexpected } = compare(planted.gaps, KNOWN_GAPS);

    // Assert
    expect(unexpected.filter((m) => m.startsWith('deployments: states:StartExecution'))).toEqual([
      `deployments: states:StartExecution on states:stateMachine:WorkflowsDeploy (called at ${site}): ImplicitlyDenied`,
      `deployments: states:StartExecution on states:stateMachine:WorkflowsUndeploy (called at ${site}): ImplicitlyDenied`,
    ]);
  });

  it('documents what each function may do in docs/aws.md ("What each function may do")', () => {
    const docs = readFileSync(DOCS, 'utf8');
    const table = `${BEGIN}\n${permissionTable(analysis)}\n${END}`;
    const current = docs.includes(BEGIN)
      ? docs.slice(docs.indexOf(BEGIN), docs.indexOf(END) + END.length)
      : '';
    if (process.env.UPDATE_DOCS === '1') {
      const updated = current
        ? docs.replace(current, table)
        : docs.replace('\n## Costs\n', `\n## What each function may do\n\n${table}\n\n## Costs\n`);
      writeFileSync(DOCS, updated);
      return;
    }

    expect(
      current,
      'docs/aws.md is out of date: UPDATE_DOCS=1 npx vitest run test/infra/permissions.test.ts',
    ).toBe(table);
  });
});
