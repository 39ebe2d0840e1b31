/**
 * The local supervisor's health checks (functions/local/hosting/health-checks.ts, driven by
 * `Supervisor`) with a stand-in probe and processes, under fake timers: when checks run, that
 * they never overlap, what a run of failures does (report, restart through the backoff), and
 * that nothing is left scheduled or in flight once an application is unwatched or the
 * supervisor closed. Real processes and HTTP are in test/integration/health-checks.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HealthCheck, ProbeOutcome } from '../../functions/core/hosting/health.ts';
import type { HostingRequest } from '../../functions/core/hosting/ports.ts';
import { probeLoopback } from '../../functions/local/hosting/health-probe.ts';
import { Supervisor } from '../../functions/local/hosting/supervisor.ts';
import type { Hosted, HostedProcess, Incident } from '../../functions/local/hosting/types.ts';

const request = (overrides: Partial<HostingRequest> = {}): HostingRequest => ({
  projectId: 'p-1',
  deploymentId: 'd-1',
  buildId: 'b-1',
  applicationName: 'orders',
  applicationType: 'service',
  bundle: '/nowhere',
  endpoint: '/service',
  healthCheckPath: '/health',
  healthCheck: { intervalSeconds: 2, unhealthyThreshold: 2 },
  environment: {},
  ...overrides,
});

/** A process that is not one: pid far above any real one (the tick finds no group for it). */
let pids = 3_999_000;
const processStub = (): HostedProcess => ({
  pid: pids++,
  alive: true,
  exitCode: null,
  signal: null,
  stopping: false,
  exited: Promise.resolve(),
  closed: Promise.resolve(),
  lastLines: [],
});

const hosted = (r = request(), port = 4_100): Hosted => ({
  request: r,
  sealed: '',
  hostedAt: 0,
  port,
  process: processStub(),
  result: { url: `http://127.0.0.1:${port}/service` },
});

interface Call {
  port: number;
  check: HealthCheck;
  signal: AbortSignal;
  answer(outcome: ProbeOutcome): void;
}

let calls: Call[];
let incidents: Incident[];
let restarts: Hosted[];
let supervisor: Supervisor;

beforeEach(() => {
  vi.useFakeTimers();
  calls = [];
  incidents = [];
  restarts = [];
  supervisor = new Supervisor({
    memoryMb: 1_024,
    processes: 1_000,
    healthIntervalScale: 1,
    probe: (port, check, signal) =>
      new Promise((answer) => {
        calls.push({ port, check, signal, answer });
      }),
    restart: async (entry) => {
      const next = { ...hosted(entry.request, entry.port), process: processStub() };
      restarts.push(next);
      return next;
    },
    kill: async (entry) => {
      if (entry.process) entry.process.alive = false;
    },
    onIncident: (_, incident) => void incidents.push(incident),
  });
});

afterEach(() => {
  supervisor.close();
  vi.useRealTimers();
});

/** Answers the check in flight with `outcome` and lets the supervisor act on it. */
const answer = async (outcome: ProbeOutcome) => {
  const call = calls.at(-1);
  if (!call) throw new Error('no check in flight');
  call.answer(outcome);
  await vi.advanceTimersByTimeAsync(0);
};

describe('local health checks', () => {
  it('checks every interval once the application is up, never two at once', async () => {
    supervisor.watch('k', hosted());

    await vi.advanceTimersByTimeAsync(1_999);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ port: 4_100, check: { path: '/health', timeoutSeconds: 5 } });

    // The check in flight holds the next one back, however long it takes.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toHaveLength(1);
    await answer({ status: 200 });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(calls).toHaveLength(2);
    expect(incidents).toEqual([]);
  });

  it('scales the interval when told to (tests), never the timeout', async () => {
    supervisor.close();
    supervisor = new Supervisor({
      memoryMb: 1_024,
      processes: 1_000,
      healthIntervalScale: 0.25,
      probe: (port, check, signal) => new Promise((a) => void calls.push({ port, check, signal, answer: a })),
      restart: async (entry) => entry,
      kill: async () => {},
      onIncident: () => {},
    });
    supervisor.watch('k', hosted());

    await vi.advanceTimersByTimeAsync(500);

    expect(calls).toHaveLength(1);
    expect(calls[0]?.check.timeoutSeconds).toBe(5);
  });

  it('does not check an application without a health check, nor a job', async () => {
    supervisor.watch('none', hosted(request({ healthCheckPath: undefined })));
    supervisor.watch('job', hosted(request({ applicationType: 'job', applicationName: 'job' })));

    await vi.advanceTimersByTimeAsync(6_000);

    expect(calls).toEqual([]);
  });

  it('reports unhealthy at the threshold, restarts through the backoff, and reports the recovery', async () => {
    supervisor.watch('k', hosted());

    await vi.advanceTimersByTimeAsync(2_000);
    await answer({ status: 503 });
    await vi.advanceTimersByTimeAsync(2_000);
    await answer({ error: 'timeout' });

    expect(incidents).toEqual([
      {
        kind: 'unhealthy',
        message:
          "'orders' failed its health check 2 times in a row (last: GET /health did not answer within 5 s); it is being restarted.",
      },
    ]);
    // Down, and not checked, until the first backoff (1 s) has passed and the tick starts it again.
    await vi.advanceTimersByTimeAsync(900);
    expect(restarts).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(600);
    expect(restarts).toHaveLength(1);
    expect(calls).toHaveLength(2);

    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toHaveLength(3);
    await answer({ status: 200 });
    expect(incidents.at(-1)).toEqual({
      kind: 'recovered',
      message: "'orders' passes its health check again (GET /health answered 200).",
    });
  });

  it('restarts again, with a restart entry, when the restarted process fails as well', async () => {
    supervisor.watch('k', hosted());
    const fail = async () => {
      await vi.advanceTimersByTimeAsync(2_000);
      await answer({ status: 500 });
    };

    await fail();
    await fail();
    await vi.advanceTimersByTimeAsync(2_000);
    await fail();
    await fail();
    await vi.advanceTimersByTimeAsync(4_000);

    expect(incidents.map((i) => i.kind)).toEqual(['unhealthy', 'restarted']);
    expect(incidents[1]?.message).toContain('It is being restarted again.');
    expect(restarts).toHaveLength(2);
  });

  it('leaves nothing scheduled or in flight once unwatched or closed', async () => {
    supervisor.watch('a', hosted());
    supervisor.watch('b', hosted(request({ applicationName: 'b' }), 4_101));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(calls).toHaveLength(2);

    supervisor.unwatch('a');
    expect(calls[0]?.signal.aborted).toBe(true);
    supervisor.close();

    expect(calls[1]?.signal.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    await answer({ status: 500 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(2);
    expect(incidents).toEqual([]);
  });
});

describe('the loopback probe', () => {
  it('says a closed port could not be reached, naming no address', async () => {
    vi.useRealTimers();

    const outcome = await probeLoopback(1, {
      path: '/health',
      intervalSeconds: 1,
      timeoutSeconds: 2,
      unhealthyThreshold: 1,
    });

    expect(outcome).toEqual({ error: 'unreachable', detail: 'connection refused' });
  });
});
