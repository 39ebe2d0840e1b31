/**
 * The rules of health checks (functions/core/hosting/health.ts), the report and event of a
 * change of health (recordApplicationHealth) and the scheduled probe's use case
 * (probeApplicationHealth), with in-memory stand-ins: no process, no table, no network.
 */
import { describe, expect, it } from 'vitest';
import { recordApplicationHealth } from '../../functions/core/deployments/incidents.ts';
import type { Deployment } from '../../functions/core/deployments/model.ts';
import type { DeploymentRepository } from '../../functions/core/deployments/ports.ts';
import {
  HEALTH_CHECK_DEFAULTS,
  HEALTHY,
  type HealthCheck,
  type HealthState,
  healthCheckOf,
  healthMessage,
  isHealthy,
  nextHealth,
  type ProbeOutcome,
} from '../../functions/core/hosting/health.ts';
import {
  type HealthRef,
  type HealthStates,
  type ProbeTarget,
  probeApplicationHealth,
} from '../../functions/core/hosting/health-probe.ts';
import type { DomainEvent } from '../../functions/core/shared/domain-events.ts';
import { ConcurrentModification } from '../../functions/core/shared/errors.ts';

const CHECK: HealthCheck = { path: '/health', intervalSeconds: 10, timeoutSeconds: 5, unhealthyThreshold: 3 };
const FAIL: ProbeOutcome = { status: 500 };
const OK: ProbeOutcome = { status: 200 };

/** Feeds the outcomes in order; answers each verdict and the last state. */
const run = (outcomes: ProbeOutcome[], check = CHECK, from: HealthState = HEALTHY) => {
  let state = from;
  const verdicts = outcomes.map((outcome) => {
    const next = nextHealth(state, outcome, check);
    state = next.state;
    return next.verdict;
  });
  return { verdicts, state };
};

describe('which applications are checked, and how', () => {
  it('checks service and event applications that give a path, with Slipway’s defaults for what they leave out', () => {
    expect(healthCheckOf({ applicationType: 'service', healthCheckPath: 'health' })).toEqual({
      path: '/health',
      ...HEALTH_CHECK_DEFAULTS,
    });
    expect(
      healthCheckOf({
        applicationType: 'event',
        healthCheckPath: '/ready',
        healthCheck: { intervalSeconds: 2 },
      }),
    ).toEqual({ path: '/ready', intervalSeconds: 2, timeoutSeconds: 5, unhealthyThreshold: 3 });
    expect(HEALTH_CHECK_DEFAULTS).toEqual({ intervalSeconds: 10, timeoutSeconds: 5, unhealthyThreshold: 3 });
  });

  it('checks nothing without a path, and never a job or assets application', () => {
    expect(healthCheckOf({ applicationType: 'service' })).toBeUndefined();
    expect(healthCheckOf({ applicationType: 'job', healthCheckPath: '/h' })).toBeUndefined();
    expect(healthCheckOf({ applicationType: 'assets', healthCheckPath: '/h' })).toBeUndefined();
  });

  it.each([
    [200, true],
    [204, true],
    [302, true],
    [399, true],
    [199, false],
    [404, false],
    [500, false],
    [503, false],
  ])('counts an answer %i as healthy: %s', (status, healthy) => {
    expect(isHealthy({ status })).toBe(healthy);
  });

  it('counts no answer in time, and no connection, as failed', () => {
    expect(isHealthy({ error: 'timeout' })).toBe(false);
    expect(isHealthy({ error: 'unreachable', detail: 'connection refused' })).toBe(false);
  });
});

describe('consecutive failures and recovery', () => {
  it('reports unhealthy at the threshold of failures in a row, once', () => {
    const { verdicts, state } = run([FAIL, FAIL, FAIL]);

    expect(verdicts).toEqual(['none', 'none', 'unhealthy']);
    expect(state).toEqual({ consecutiveFailures: 0, unhealthy: true });
  });

  it('starts counting again after a passing check', () => {
    const { verdicts } = run([FAIL, FAIL, OK, FAIL, FAIL, OK]);

    expect(verdicts.every((v) => v === 'none')).toBe(true);
  });

  it('after unhealthy, says so again only after as many failures more (another restart), then recovered', () => {
    const { verdicts, state } = run([FAIL, FAIL, FAIL, FAIL, FAIL, FAIL, FAIL, OK, OK]);

    expect(verdicts).toEqual([
      'none',
      'none',
      'unhealthy',
      'none',
      'none',
      'still-unhealthy',
      'none',
      'recovered',
      'none',
    ]);
    expect(state).toEqual(HEALTHY);
  });

  it('with a threshold of 1, the first failure is unhealthy', () => {
    expect(run([{ error: 'timeout' }], { ...CHECK, unhealthyThreshold: 1 }).verdicts).toEqual(['unhealthy']);
  });

  it('words the change with the path, what was seen and the count, and nothing of the host', () => {
    const check = { ...CHECK, unhealthyThreshold: 2 };

    expect(healthMessage('orders', check, FAIL, { healthy: false, restarting: true })).toBe(
      "'orders' failed its health check 2 times in a row (last: GET /health answered 500); it is being restarted.",
    );
    expect(healthMessage('orders', check, { error: 'timeout' }, { healthy: false })).toBe(
      "'orders' failed its health check 2 times in a row (last: GET /health did not answer within 5 s).",
    );
    expect(
      healthMessage(
        'orders',
        check,
        { error: 'unreachable', detail: 'connection refused' },
        { healthy: false },
      ),
    ).toContain('could not be reached (connection refused)');
    expect(healthMessage('orders', check, OK, { healthy: true })).toBe(
      "'orders' passes its health check again (GET /health answered 200).",
    );
  });
});

const BUILD = 'build-2';

const deployment = (overrides: Partial<Deployment> = {}): Deployment =>
  ({
    id: 'd-1',
    tenant: 'acme',
    projectId: 'p-1',
    projectKey: 'shop',
    key: 'orders-service',
    version: 4,
    status: 'Deployed',
    details: { build: { id: BUILD, report: { entries: [] } } },
    hosted: { buildId: BUILD },
    lastModifiedAt: '2026-12-01T00:00:00.000Z',
    ...overrides,
  }) as Deployment;

/** One deployment in memory, written conditionally on its version like the real repository. */
const memoryDeployments = (initial: Deployment) => {
  let current = initial;
  const repository = {
    async get(projectId: string, id: string) {
      return projectId === current.projectId && id === current.id ? structuredClone(current) : undefined;
    },
    async update(next: Deployment, expectedVersion: number) {
      if (current.version !== expectedVersion)
        throw new ConcurrentModification(expectedVersion, current.version);
      current = structuredClone(next);
    },
  } as unknown as DeploymentRepository;
  return { repository, current: () => current };
};

const NOW = new Date('2026-12-07T10:00:00.000Z');

const recordingBus = () => {
  const published: DomainEvent[] = [];
  return { published, bus: { publish: async (event: DomainEvent) => void published.push(event) } };
};

describe('recording a change of health', () => {
  const change = {
    projectId: 'p-1',
    deploymentId: 'd-1',
    buildId: BUILD,
    applicationName: 'orders',
    message: "'orders' failed its health check 3 times in a row (last: GET /health answered 500).",
  };

  it('writes an Error entry "Application unhealthy" (a version up) and publishes ApplicationHealthChanged', async () => {
    const store = memoryDeployments(deployment());
    const { published, bus } = recordingBus();

    const recorded = await recordApplicationHealth(
      { deployments: store.repository, clock: { now: () => NOW }, bus },
      { ...change, healthy: false },
    );

    expect(recorded).toBe(true);
    expect(store.current().version).toBe(5);
    expect(store.current().details.build.report.entries).toEqual([
      {
        type: 'Error',
        title: 'Application unhealthy',
        message: change.message,
        application: 'orders',
        createdAt: NOW.toISOString(),
      },
    ]);
    expect(published).toEqual([
      {
        type: 'ApplicationHealthChanged',
        tenant: 'acme',
        projectKey: 'shop',
        deploymentId: 'd-1',
        deploymentKey: 'orders-service',
        applicationName: 'orders',
        healthy: false,
        message: change.message,
        at: NOW.toISOString(),
      },
    ]);
  });

  it('writes an Information entry "Application recovered" and the healthy event', async () => {
    const store = memoryDeployments(deployment());
    const { published, bus } = recordingBus();

    await recordApplicationHealth(
      { deployments: store.repository, clock: { now: () => NOW }, bus },
      { ...change, healthy: true, message: 'back' },
    );

    expect(store.current().details.build.report.entries[0]).toMatchObject({
      type: 'Information',
      title: 'Application recovered',
    });
    expect(published[0]).toMatchObject({ type: 'ApplicationHealthChanged', healthy: true });
  });

  it.each([
    ['serves another build', deployment({ hosted: { buildId: 'build-3' } as Deployment['hosted'] })],
    ['is being undeployed', deployment({ status: 'Undeploying' })],
  ])('records and publishes nothing when the deployment %s', async (_, d) => {
    const store = memoryDeployments(d);
    const { published, bus } = recordingBus();

    const recorded = await recordApplicationHealth(
      { deployments: store.repository, clock: { now: () => NOW }, bus },
      { ...change, healthy: false },
    );

    expect(recorded).toBe(false);
    expect(store.current().version).toBe(d.version);
    expect(published).toEqual([]);
  });
});

/** Health states in memory, with the conditional write of the real one. */
const memoryStates = () => {
  const items = new Map<string, { state: HealthState; version: number }>();
  const keyOf = (r: HealthRef) => `${r.deploymentId}/${r.buildId}/${r.applicationName}`;
  const states: HealthStates = {
    async get(ref) {
      return items.get(keyOf(ref));
    },
    async put(ref, state, version) {
      if ((items.get(keyOf(ref))?.version ?? 0) !== version) return false;
      items.set(keyOf(ref), { state, version: version + 1 });
      return true;
    },
  };
  return { states, items };
};

describe('the scheduled probe (AWS)', () => {
  const target: ProbeTarget = {
    projectId: 'p-1',
    deploymentId: 'd-1',
    buildId: BUILD,
    applicationName: 'orders',
    target: 'slipway-1234abcd-5678ef01-orders',
    check: { ...CHECK, intervalSeconds: 60, unhealthyThreshold: 2 },
  };

  const probeWith = (outcomes: ProbeOutcome[], d = deployment()) => {
    const store = memoryDeployments(d);
    const { published, bus } = recordingBus();
    const { states, items } = memoryStates();
    const probed: string[] = [];
    const deps = {
      deployments: store.repository,
      clock: { now: () => NOW },
      bus,
      states,
      prober: {
        async probe(functionName: string) {
          probed.push(functionName);
          return outcomes.shift() ?? OK;
        },
      },
    };
    return { deps, store, published, items, probed };
  };

  it('counts failures across invocations, reports unhealthy at the threshold and recovered after', async () => {
    const { deps, store, published, probed } = probeWith([FAIL, FAIL, FAIL, OK]);

    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push(await probeApplicationHealth(deps, target));

    expect(verdicts).toEqual(['none', 'unhealthy', 'none', 'recovered']);
    expect(probed).toEqual(Array(4).fill(target.target));
    expect(store.current().details.build.report.entries.map((e) => [e.type, e.title])).toEqual([
      ['Error', 'Application unhealthy'],
      ['Information', 'Application recovered'],
    ]);
    // On AWS nothing is restarted, and the message says no restart.
    expect(store.current().details.build.report.entries[0]?.message).toBe(
      "'orders' failed its health check 2 times in a row (last: GET /health answered 500).",
    );
    expect(published.map((e) => e.type === 'ApplicationHealthChanged' && e.healthy)).toEqual([false, true]);
  });

  it('writes no state while the application stays healthy', async () => {
    const { deps, items } = probeWith([OK, OK]);

    await probeApplicationHealth(deps, target);
    await probeApplicationHealth(deps, target);

    expect(items.size).toBe(0);
  });

  it('does not probe a build the deployment no longer serves', async () => {
    const { deps, probed } = probeWith(
      [FAIL],
      deployment({ hosted: { buildId: 'other' } as Deployment['hosted'] }),
    );

    expect(await probeApplicationHealth(deps, target)).toBe('skipped');
    expect(probed).toEqual([]);
  });

  it('reports nothing when another invocation wrote the state first', async () => {
    const { deps, items, published } = probeWith([FAIL, FAIL]);
    await probeApplicationHealth(deps, target);
    // Another invocation moved the state on meanwhile.
    const racing: HealthStates = {
      get: deps.states.get,
      async put(ref, state, version) {
        const won = await deps.states.put(ref, { ...state, consecutiveFailures: 0 }, version);
        return won && (await deps.states.put(ref, state, version));
      },
    };

    expect(await probeApplicationHealth({ ...deps, states: racing }, target)).toBe('raced');
    expect(published).toEqual([]);
    expect([...items.values()][0]?.version).toBe(2);
  });
});
