import { describe, expect, it } from 'vitest';
import type { Deployment, LogEntry } from '../../console/src/api/types.ts';
import { configurationOf } from '../../console/src/logic/configuration.ts';
import { freeKey, KEY_PATTERN, keyFromFileName } from '../../console/src/logic/deploy-key.ts';
import { errorWords } from '../../console/src/logic/errors.ts';
import { absoluteTime, formatBytes, relativeTime } from '../../console/src/logic/format.ts';
import { countByStatus, pageOf, withStatus } from '../../console/src/logic/listing.ts';
import { appendLogs, followFrom, logText } from '../../console/src/logic/logs.ts';
import { defaultRegion } from '../../console/src/logic/regions.ts';
import { pathOf, routeOf, withQuery } from '../../console/src/logic/routes.ts';
import { projectsInScope } from '../../console/src/logic/scope.ts';
import {
  canCancel,
  connectorLabel,
  isInProgress,
  isSettled,
  statusTone,
} from '../../console/src/logic/status.ts';
import { timelineOf } from '../../console/src/logic/steps.ts';

const line = (timestamp: string, message: string, applicationName = 'service'): LogEntry => ({
  type: 'APPLICATION_TEXT',
  deploymentId: 'd',
  applicationName,
  severity: 'INFO',
  timestamp,
  details: { message },
});

describe('console: statuses', () => {
  it('gives each status a colour family, and says which can be canceled or acted on', () => {
    expect(['Deployed', 'Queued', 'Deploying', 'Failed', 'UndeployFailed', 'Draft'].map(statusTone)).toEqual([
      'ok',
      'progress',
      'progress',
      'error',
      'error',
      'neutral',
    ]);
    expect(isInProgress('Undeploying')).toBe(true);
    expect(isInProgress('Deployed')).toBe(false);
    expect(canCancel('Queued') && canCancel('Deploying')).toBe(true);
    expect(canCancel('Deployed')).toBe(false);
    expect(isSettled('Failed') && isSettled('Deployed')).toBe(true);
    expect(isSettled('Undeploying')).toBe(false);
  });

  it('names what a deployment runs: the connector key, or an uploaded zip', () => {
    expect(connectorLabel({ key: 'greeter', name: 'Greeter' })).toBe('greeter');
    expect(connectorLabel({ name: 'Upload 0190…', artifact: { uploadId: 'u' } })).toBe('uploaded zip');
    expect(connectorLabel({ name: 'Greeter' })).toBe('Greeter');
  });
});

describe('console: API errors in words', () => {
  it("reads Connect's envelope: the detailed message, with the code", () => {
    const body = {
      statusCode: 400,
      message: 'Request body does not contain valid JSON.',
      errors: [{ code: 'InvalidJsonInput', message: 'x', detailedErrorMessage: 'region: expected string' }],
    };
    expect(errorWords(400, body)).toBe('region: expected string (InvalidJsonInput)');
  });

  it("reads BigCommerce's envelope", () => {
    expect(
      errorWords(409, { status: 409, title: 'Conflict', detail: 'A deployment is in progress.', code: 'X' }),
    ).toBe('A deployment is in progress. (X)');
  });

  it('says what a bare status means, and always asks to sign in again on 401', () => {
    expect(errorWords(503, undefined)).toMatch(/unavailable/);
    expect(errorWords(401, { message: 'jwt expired' })).toMatch(/Sign in again/);
    expect(errorWords(418, {})).toBe('The API answered 418.');
  });
});

describe('console: listings', () => {
  const items = Array.from({ length: 45 }, (_, i) => ({
    key: `d${i}`,
    status: i % 3 === 0 ? 'Failed' : 'Deployed',
  }));

  it('pages 20 at a time and clamps the page to what exists', () => {
    expect(pageOf(items, 1)).toMatchObject({ page: 1, pages: 3, total: 45 });
    expect(pageOf(items, 3).items).toHaveLength(5);
    expect(pageOf(items, 9).page).toBe(3);
    expect(pageOf([], 1)).toMatchObject({ page: 1, pages: 1, items: [] });
  });

  it('filters by status and counts each', () => {
    expect(withStatus(items, 'Failed')).toHaveLength(15);
    expect(withStatus(items, '')).toHaveLength(45);
    expect(countByStatus(items).get('Deployed')).toBe(30);
  });
});

describe('console: deployment keys from file names', () => {
  it('makes a valid key of any name, and a free one', () => {
    expect(keyFromFileName('Greeter Connector v2.zip')).toBe('greeter-connector-v2');
    expect(keyFromFileName('ä.zip')).toBe('deployment-zip');
    for (const name of ['x.zip', '---.ZIP', `${'a'.repeat(300)}.zip`])
      expect(keyFromFileName(name)).toMatch(KEY_PATTERN);
    expect(freeKey('greeter', new Set(['greeter', 'greeter-2']))).toBe('greeter-3');
    expect(freeKey('greeter', new Set())).toBe('greeter');
  });
});

describe('console: following logs', () => {
  it('appends only the lines not shown yet, re-reading from the newest time seen', () => {
    const known = [line('2026-01-01T00:00:00.000Z', 'a'), line('2026-01-01T00:00:01.000Z', 'b')];
    const again = [line('2026-01-01T00:00:01.000Z', 'b'), line('2026-01-01T00:00:01.000Z', 'c')];
    const next = appendLogs(known, again);
    expect(next.map(logText)).toEqual(['a', 'b', 'c']);
    expect(appendLogs(next, again)).toBe(next);
    expect(followFrom(next)).toBe('2026-01-01T00:00:01.000Z');
    expect(followFrom([])).toBeUndefined();
  });

  it('keeps the newest lines when there are too many', () => {
    const many = Array.from({ length: 10 }, (_, i) => line(`2026-01-01T00:00:0${i}.000Z`, `l${i}`));
    expect(appendLogs([], many, 4).map(logText)).toEqual(['l6', 'l7', 'l8', 'l9']);
  });

  it('shows structured details as JSON', () => {
    expect(logText({ ...line('t', ''), details: { status: 200 } })).toBe('{"status":200}');
  });
});

describe('console: configuration', () => {
  it('shows standard values (or their defaults) and secured keys as set or unset only', () => {
    const deployment = {
      connector: {
        configurations: [
          {
            applicationName: 'service',
            applicationType: 'service',
            standardConfiguration: [{ key: 'GREETING', default: 'Hello' }, { key: 'MODE' }],
            securedConfiguration: [{ key: 'API_TOKEN' }, { key: 'OTHER' }],
          },
        ],
      },
      applications: [
        {
          applicationName: 'service',
          standardConfiguration: [{ key: 'MODE', value: 'fast' }],
          securedConfiguration: [{ key: 'API_TOKEN', value: '****' }],
        },
      ],
    } as unknown as Deployment;
    const [service] = configurationOf(deployment);
    expect(service?.rows).toEqual([
      { key: 'GREETING', value: 'Hello', secured: false, set: true, fromDefault: true },
      { key: 'MODE', value: 'fast', secured: false, set: true, fromDefault: false },
      { key: 'API_TOKEN', secured: true, set: true, fromDefault: false },
      { key: 'OTHER', secured: true, set: false, fromDefault: false },
    ]);
    expect(JSON.stringify(service)).not.toContain('****');
  });
});

describe('console: the steps timeline', () => {
  const at = (step: string, progress: number) => ({ step, progress, timestamp: `t-${step}` });

  it('marks the step in progress, and the one a failure stopped at', () => {
    const reached = [at('initializing', 5), at('downloading', 10)];
    const running = timelineOf('Deploying', reached);
    expect(running.progress).toBe(10);
    expect(running.steps.map((s) => s.state).slice(0, 3)).toEqual(['done', 'current', 'pending']);
    expect(timelineOf('Failed', reached).steps[1]?.state).toBe('failed');
  });

  it("shows the steps a rollback skipped, and a deployment with no trail known as done when it's Deployed", () => {
    const rollback = timelineOf('Deployed', [
      at('initializing', 5),
      at('deploying', 60),
      at('complete', 100),
    ]);
    expect(rollback.steps.map((s) => s.state)).toEqual([
      'done',
      'skipped',
      'skipped',
      'skipped',
      'done',
      'skipped',
      'done',
    ]);
    expect(timelineOf('Deployed', [])).toMatchObject({ progress: 100 });
    expect(timelineOf('Queued', []).progress).toBe(0);
  });
});

describe('console: routes', () => {
  it('maps paths to pages and back, keys escaped', () => {
    for (const route of [
      { page: 'projects' } as const,
      { page: 'connectors' } as const,
      { page: 'project', projectKey: 'my shop' } as const,
      { page: 'deployment', projectKey: 'shop', deploymentKey: 'a/b' } as const,
    ])
      expect(routeOf(pathOf(route))).toEqual(route);
    expect(routeOf('/console/nope/x/y')).toEqual({ page: 'not-found', path: '/console/nope/x/y' });
    expect(routeOf('/elsewhere')).toMatchObject({ page: 'not-found' });
  });
});

describe('console: formats', () => {
  it('says times relative and absolute, and sizes', () => {
    const now = Date.parse('2026-01-01T00:10:00Z');
    expect(relativeTime('2026-01-01T00:05:00Z', now)).toBe('5 minutes ago');
    expect(relativeTime('2026-01-01T00:09:59Z', now)).toBe('1 second ago');
    expect(relativeTime('nonsense', now)).toBe('nonsense');
    expect(absoluteTime('2026-01-01T00:05:00.123Z')).toBe('2026-01-01 00:05:00 UTC');
    expect(formatBytes(5397)).toBe('5.3 KB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB');
  });
});

describe('projectsInScope', () => {
  it('names each project a view or manage scope reaches, once, in order', () => {
    expect(projectsInScope('view_project:demo manage_project:shop manage_project:demo')).toEqual([
      'demo',
      'shop',
    ]);
  });

  it('names none for admin, store or no scope', () => {
    expect(projectsInScope('admin store_v2_infrastructure')).toEqual([]);
    expect(projectsInScope(undefined)).toEqual([]);
  });
});

describe('withQuery', () => {
  it('adds the values that are set as a query string, and none when none is', () => {
    expect(withQuery('/console/projects/demo', { status: 'Failed', page: '2' })).toBe(
      '/console/projects/demo?status=Failed&page=2',
    );
    expect(withQuery('/console/projects/demo', { status: '', page: '' })).toBe('/console/projects/demo');
  });
});

describe('defaultRegion', () => {
  it('is local on a loopback host, where npm start serves it', () => {
    for (const host of ['localhost', '127.0.0.1', '[::1]']) expect(defaultRegion(host)).toBe('local');
  });

  it('is the first of Connect’s regions elsewhere', () => {
    expect(defaultRegion('console.example.com')).toBe('europe-west1.gcp');
  });
});
