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

/**
 * Calls a bundle holds and never makes, left ungranted on purpose. The analysis is by module:
 * a repository or store is one object, so a bundle that uses one of its methods holds them all.
 * Each entry says which code is held and what the principal really does.
 */
const TABLE = ['dynamodb:table/Table'];
const sharedProjectWrites = (principal: string, actions: string[]): Known => ({
  principal,
  actions,
  resources: TABLE,
  reason:
    'the shared composition root hands it the project and deployment repositories whole (projects.ts:39/54, deployments.ts:118/334); it never creates, changes or deletes either',
});
const KNOWN_GAPS: Known[] = [
  sharedProjectWrites('authorizer', ['dynamodb:PutItem', 'dynamodb:DeleteItem']),
  sharedProjectWrites('oauth-token', ['dynamodb:DeleteItem']),
  sharedProjectWrites('projects', ['dynamodb:DeleteItem']),
  sharedProjectWrites('uploads', ['dynamodb:DeleteItem']),
  sharedProjectWrites('store-streams', ['dynamodb:PutItem', 'dynamodb:DeleteItem']),
  sharedProjectWrites('sites', ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem']),
  sharedProjectWrites('upload-events', ['dynamodb:PutItem', 'dynamodb:DeleteItem']),
  {
    principal: 'health-probe',
    actions: ['dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    resources: TABLE,
    reason:
      'the deployment repository is one object (deployments.ts:127, pager.ts); the probe reads a deployment by its key and writes its report with a conditional put, never taking a lock or listing',
  },
  {
    principal: 'audit',
    actions: ['dynamodb:PutItem'],
    resources: TABLE,
    reason:
      'the audit log and the tenant limits are one object each (audit.ts:35, tenant-limits.ts:22); this function only reads the trail (GET /audit records nothing) and reads limits',
  },
  {
    principal: 'upload-events',
    actions: ['kms:GenerateDataKey'],
    resources: ['kms:key/DataKey'],
    reason: 'implied by the put above, which it never makes: marking an upload is an update',
  },
  {
    principal: 'uploads',
    actions: ['s3:GetObject', 's3:PutObject'],
    resources: ['s3:artifacts/*'],
    reason:
      'the artifact store is one object (artifacts.ts:31/67/85: get, head, copy); this function only presigns PUTs, granted on upload keys',
  },
  ...['BuildApplication', 'RunScript'].map((principal) => ({
    principal,
    actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
    resources: TABLE,
    reason:
      'the jobs bundle holds the deployment repository whole (deployments.ts:118/334); a job reads its deployment and appends logs',
  })),
  {
    principal: 'BuildApplication',
    actions: ['s3:GetObject', 's3:PutObject'],
    resources: ['s3:artifacts/*'],
    reason:
      'the jobs bundle holds the artifact store whole (artifacts.ts:31/67/85); a build reads what it deploys and uploads its output, granted by key',
  },
  {
    principal: 'RunScript',
    actions: ['s3:GetObject'],
    resources: ['s3:artifacts/*'],
    reason:
      'the jobs bundle holds the artifact store whole (artifacts.ts:31/67/85); a script job downloads its build, granted by key',
  },
  {
    principal: 'upload-events',
    actions: ['s3:GetObject', 's3:PutObject'],
    resources: ['s3:artifacts/*'],
    reason:
      'its composition root spreads the uploads deps, artifact store included (artifacts.ts:31/85); it only marks uploads in the table',
  },
  {
    principal: 'RunScript',
    actions: ['s3:PutObject'],
    resources: ['s3:artifacts/*'],
    reason: 'the artifact store copy (artifacts.ts:85) is in the jobs bundle; a script job only reads',
  },
  {
    principal: 'BuildApplication',
    actions: ['kms:Decrypt'],
    resources: ['kms:key/SecretsKey'],
    reason:
      'one jobs bundle for both projects: the opening cipher is there though only the script job decrypts',
  },
  {
    principal: 'RunScript',
    actions: ['kms:GenerateDataKey'],
    resources: ['kms:key/DataKey'],
    reason: 'implied by the table writes above, which a script job never makes',
  },
  {
    principal: 'webhook-fan-out',
    actions: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    resources: TABLE,
    reason:
      'the subscription, delivery and deployment repositories are one object each (webhooks-subscriptions.ts, webhooks-deliveries.ts, deployments.ts); the fan-out reads subscriptions and the deployment, and adds deliveries (transactions of puts)',
  },
  {
    principal: 'webhook-dispatcher',
    actions: ['dynamodb:PutItem'],
    resources: TABLE,
    reason:
      'the delivery repository is one object (webhooks-deliveries.ts: add and requeue put); the dispatcher only claims, records and finishes deliveries (updates, and a transaction of an update and a delete)',
  },
];

/** Write actions granted (as the policy writes them) that no code uses. */
const KNOWN_EXCESS: Known[] = [];

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
