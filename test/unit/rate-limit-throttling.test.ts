import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STAGE_THROTTLE, stageThrottle } from '../../infra/throttling.ts';

const stackWith = (context: Record<string, unknown>) => new Stack(new App({ context }), 'S');

describe("API Gateway's stage throttling", () => {
  it('takes the defaults without context, well above the default tenant rate', () => {
    expect(stageThrottle(stackWith({}))).toEqual(DEFAULT_STAGE_THROTTLE);
    expect(DEFAULT_STAGE_THROTTLE.rateLimit).toBeGreaterThan(30_000 / 60);
  });

  it('takes the CDK context values, as numbers or strings', () => {
    expect(stageThrottle(stackWith({ apiThrottleRateLimit: '50', apiThrottleBurstLimit: 80 }))).toEqual({
      rateLimit: 50,
      burstLimit: 80,
    });
  });

  it('refuses a value that is not a positive whole number, naming it', () => {
    expect(() => stageThrottle(stackWith({ apiThrottleBurstLimit: '1.5' }))).toThrow(/apiThrottleBurstLimit/);
    expect(() => stageThrottle(stackWith({ apiThrottleRateLimit: 0 }))).toThrow(/apiThrottleRateLimit/);
  });
});
