import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { addNagChecks } from '../../infra/nag.ts';

/** Tests look at templates, not code: bundling is skipped. */
const newApp = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

describe('cdk-nag (AWS Solutions)', () => {
  it('finds nothing that infra/nag.ts does not acknowledge with a reason', () => {
    const app = newApp();
    buildApp(app);
    addNagChecks(app);

    expect(() => app.synth()).not.toThrow();
  }, 60_000);

  it('fails synth on a finding nobody acknowledged', () => {
    const app = newApp();
    buildApp(app);
    // A bucket with neither TLS enforcement nor access logs.
    new Bucket(new Stack(app, 'Careless'), 'Open');
    addNagChecks(app);

    expect(() => app.synth()).toThrow(/S3 Bucket has server access logs disabled/);
  }, 60_000);

  it('grants no "*" action, and "*" resources only to actions that have no resource-level permissions', () => {
    const app = newApp();
    const { stateless, stateful } = buildApp(app);
    const statements = [stateless, stateful].flatMap((stack) =>
      Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap(
        (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
      ),
    );
    // X-Ray segments, the CloudWatch Logs delivery behind state machine logging, and hosting's
    // listings and event source mappings (created only for slipway-* functions, by condition).
    const resourceless =
      /^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)|lambda:(ListFunctions|ListEventSourceMappings|DeleteEventSourceMapping|CreateEventSourceMapping)|scheduler:ListSchedules|tag:GetResources)$/;

    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) {
      const actions = [s.Action].flat();
      for (const action of actions) expect(action).not.toMatch(/^(\*|[a-z0-9-]+:\*)$/);
      if ([s.Resource].flat().includes('*'))
        for (const action of actions) expect(action, JSON.stringify(s)).toMatch(resourceless);
    }
  }, 60_000);
});
