import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import type { EventBridgeEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeploymentStatusChanged } from '../../functions/core/shared/domain-events.ts';

// CloudFront has no local stand-in: the subscriber is checked by the calls it makes.
const cloudfront = mockClient(CloudFrontClient);
let onStatusChanged: typeof import('../../functions/handlers/cache-invalidation.ts')['onStatusChanged'];

beforeAll(async () => {
  process.env.SLIPWAY_DISTRIBUTION_ID = 'E2SLIPWAYDIST';
  ({ onStatusChanged } = await import('../../functions/handlers/cache-invalidation.ts'));
});
beforeEach(() => {
  cloudfront.reset();
  cloudfront.on(CreateInvalidationCommand).resolves({ Invalidation: { Id: 'I1' } as never });
});

const DEPLOYMENT = '0198c0de-0000-7000-8000-000000000001';
const event = (status: DeploymentStatusChanged['status']) =>
  ({
    source: 'slipway',
    'detail-type': 'DeploymentStatusChanged',
    detail: {
      type: 'DeploymentStatusChanged',
      tenant: 'acme',
      projectKey: 'shop',
      deploymentId: DEPLOYMENT,
      operationId: 'op-7',
      status,
      version: 3,
      at: '2026-12-06T12:00:00.000Z',
    },
  }) as EventBridgeEvent<'DeploymentStatusChanged', DeploymentStatusChanged>;

describe('invalidating hosted assets after a deploy or an undeploy (AWS)', () => {
  it.each(['Deployed', 'Removed'] as const)(
    'drops every cached file of the deployment once it is %s',
    async (status) => {
      await expect(onStatusChanged(event(status))).resolves.toEqual({ invalidated: true });

      expect(cloudfront.commandCalls(CreateInvalidationCommand).map((c) => c.args[0].input)).toEqual([
        {
          DistributionId: 'E2SLIPWAYDIST',
          InvalidationBatch: {
            // The same event retried names the same change, so CloudFront makes no second one.
            CallerReference: `${DEPLOYMENT}/op-7/${status}`,
            Paths: { Quantity: 1, Items: [`/hosted-assets/${DEPLOYMENT}/*`] },
          },
        },
      ]);
    },
  );

  it.each(['Queued', 'Deploying', 'Failed', 'Undeploying'] as const)(
    'leaves the cache alone at %s',
    async (status) => {
      await expect(onStatusChanged(event(status))).resolves.toEqual({ invalidated: false });
      expect(cloudfront.calls()).toHaveLength(0);
    },
  );

  it('fails when CloudFront refuses, so that EventBridge retries the event', async () => {
    cloudfront
      .on(CreateInvalidationCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'TooManyInvalidationsInProgress' }));

    await expect(onStatusChanged(event('Deployed'))).rejects.toThrow('slow down');
  });
});
