import { describe, expect, it } from 'vitest';
import { MaxResourceLimitExceeded } from '../../functions/core/limits/errors.ts';
import { hostedSlotOf, keepsHostedSlot, tenantQuotas } from '../../functions/core/limits/quotas.ts';

const settings = {
  limits: {
    windowSeconds: 60,
    credentialRequests: 1,
    tenantRequests: 1,
    concurrentBuilds: 20,
    hostedApps: 200,
    credentials: 500,
  },
};

describe('quotas', () => {
  it('are the defaults unless the tenant has its own', async () => {
    expect(await tenantQuotas({ settings, limits: { get: async () => undefined } }, 't')).toEqual({
      concurrentBuilds: 20,
      hostedApps: 200,
    });
    expect(await tenantQuotas({ settings, limits: { get: async () => ({ hostedApps: 1 }) } }, 't')).toEqual({
      concurrentBuilds: 20,
      hostedApps: 1,
    });
  });

  it("give a deployment its own hosted slot, and a project's address one for all its deployments", () => {
    expect(hostedSlotOf({ id: 'd1', projectId: 'p1' })).toBe('deployment:d1');
    expect(hostedSlotOf({ id: 'd1', projectId: 'p1', site: true })).toBe('project:p1');
    expect(hostedSlotOf({ id: 'd2', projectId: 'p1', site: true })).toBe('project:p1');
  });

  it('keep a slot while the deployment hosts something, and free it when it is removed', () => {
    const hosting = { id: 'd1', projectId: 'p1', hosted: { buildId: 'b' } };
    const none = { id: 'd1', projectId: 'p1' };
    expect(keepsHostedSlot(hosting, false, undefined)).toBe(true);
    expect(keepsHostedSlot(none, false, undefined)).toBe(false);
    expect(keepsHostedSlot(hosting, true, undefined)).toBe(false);
  });

  it("keep a project's slot for whichever deployment its address serves", () => {
    const failedSite = { id: 'd2', projectId: 'p1', site: true };
    // Its first deploy failed: another deployment serves the address, so the slot stays; none does, it goes.
    expect(keepsHostedSlot(failedSite, false, 'd1')).toBe(true);
    expect(keepsHostedSlot(failedSite, false, undefined)).toBe(false);
    // The one served is removed (its project deleted): the slot goes; an older one removed: it stays.
    const served = { id: 'd1', projectId: 'p1', site: true, hosted: {} };
    expect(keepsHostedSlot(served, true, 'd1')).toBe(false);
    expect(keepsHostedSlot({ ...served, id: 'd0' }, true, 'd1')).toBe(true);
  });

  it('name the quota and its value when one is reached', () => {
    const error = new MaxResourceLimitExceeded('concurrentBuilds', 2);
    expect(error).toMatchObject({
      code: 'MaxResourceLimitExceeded',
      details: { exceededResource: 'deployment', quota: 'concurrentBuilds', limit: 2 },
    });
    expect(error.message).toContain('quota of 2 concurrent builds');
    expect(new MaxResourceLimitExceeded('hostedApps', 3).message).toContain('quota of 3 hosted apps');
  });
});
