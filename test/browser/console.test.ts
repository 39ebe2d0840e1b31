/**
 * The web console in a real browser (Debian's Chromium), against the run's embedded stack, as
 * a person uses it: sign in with an admin token, deploy the example connector by dropping its
 * zip, watch it live, open its address, follow its logs, redeploy, cancel, roll back and delete
 * through the dialogs, read a failed deployment's error, publish a connector, sign out and in
 * again with client credentials. Every page is checked by axe-core and photographed at 1280 and
 * 360 px (test-output/console/). One browser and one tenant for the whole file; the steps build
 * on each other, and every wait is on something the page shows, never a fixed delay.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipOfFolder } from '../../scripts/example-repo.ts';
import { gitRepository, storeUpload } from '../fixtures/connectors.ts';
import { ROOT } from '../fixtures/server.ts';
import { holdExecutions } from '../fixtures/workflows.ts';
import { api, createClient, gatewayUrl, newTenant, tokenFor, uniqueKey } from '../helpers.ts';
import {
  type Console,
  dropFile,
  markDocument,
  marks,
  measureLoad,
  openBrowser,
  SCREENSHOTS,
  screenshots,
  seriousViolations,
  storedSession,
} from './harness.ts';

/** How long a step that waits on the workflow may take on a loaded CI machine. */
const LIVE = { timeout: 45_000 };
const EXAMPLE = join(ROOT, 'examples', 'connector');

let browser: Console;
let page: Page;
let token: string;
let tenant: string;
const shop = uniqueKey('shop');
const broken = uniqueKey('broken');
let failingUpload: string;
/** The deployment page's reads of greeter: whether each named the version it held (If-None-Match). */
const greeterReads: boolean[] = [];

/** Every page visited, checked by axe-core as it shows; in the dark theme too when `dark`. */
const accessible = async (name: string, dark = false) => {
  expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
  if (!dark) return;
  await page.emulateMedia({ colorScheme: 'dark' });
  try {
    expect(await seriousViolations(page), `axe on ${name}, dark`).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-dark-1280.png`), fullPage: true });
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
  }
};

const deploymentsTable = () => page.getByRole('table', { name: 'Deployments' });
const rowOf = (key: string): Locator =>
  deploymentsTable()
    .getByRole('row')
    .filter({ has: page.getByRole('link', { name: key, exact: true }) });
const statusOnPage = () => page.locator('.title-line .status');

/** Whether keyboard focus is somewhere a keyboard user can go on from (not dropped on `<body>`). */
const focusKept = async () =>
  (await page.evaluate(
    'document.activeElement !== null && document.activeElement !== document.body',
  )) as boolean;

/**
 * Opens a dialog with `button`, then confirms with its `confirm` button; focus stays inside the
 * dialog while it works, and lands on the page (not `<body>`) once it closes.
 */
const confirmThrough = async (button: string, dialogName: string, confirm: string) => {
  await page.getByRole('button', { name: button, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: dialogName });
  await dialog.getByRole('button', { name: confirm, exact: true }).click();
  expect(await focusKept()).toBe(true);
  await dialog.waitFor({ state: 'hidden' });
  expect(await focusKept()).toBe(true);
};

const filesOf = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) =>
    statSync(join(dir, name)).isDirectory() ? filesOf(join(dir, name)) : [join(dir, name)],
  );

beforeAll(async () => {
  tenant = newTenant();
  // What `npm start` prints as "Admin token": an admin client's bearer token.
  token = await tokenFor(tenant, ['admin']);
  for (const key of [shop, broken])
    expect((await api('/projects', { token, body: { key } })).status).toBe(201);
  failingUpload = await storeUpload(
    token,
    broken,
    Buffer.from(zipOfFolder(join(ROOT, 'examples', 'failing')).bytes),
  );
  browser = await openBrowser();
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('the web console', { timeout: 90_000 }, () => {
  it('loads fast and small, and signs in with the admin token', async () => {
    await page.goto(`${gatewayUrl()}/console/`);
    await page.getByRole('heading', { name: 'Sign in to Slipway' }).waitFor();
    const measured = await measureLoad(page);
    process.stdout.write(
      `console: first render ${measured.rendered.toFixed(0)} ms, first contentful paint ${measured.paint.toFixed(0)} ms; initial load ${measured.files} files, ${(measured.compressed / 1024).toFixed(1)} KB compressed (${(measured.uncompressed / 1024).toFixed(1)} KB uncompressed)\n`,
    );
    expect(measured.compressed).toBeGreaterThan(0);
    expect(measured.compressed).toBeLessThanOrEqual(150 * 1024);
    // The failing example deploys meanwhile, through the API (its page is read later): started
    // after the measure, so its build does not slow the first load down.
    const failing = await api(`/${broken}/deployments`, {
      token,
      body: { key: 'failing', region: 'europe-west1.gcp', artifact: { uploadId: failingUpload } },
    });
    expect(failing.status).toBe(201);
    await accessible('sign-in');
    await screenshots(page, 'sign-in');

    // A wrong token is told as such: there was no session to end.
    await page.getByLabel('Token', { exact: true }).fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('This token is not valid (or has expired).').waitFor();
    await page.getByLabel('Token', { exact: true }).fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    const projects = page.getByRole('table', { name: 'Projects' });
    await projects.getByRole('link', { name: shop, exact: true }).waitFor();
    await projects.getByRole('link', { name: broken, exact: true }).waitFor();
    expect(await storedSession(page)).toContain(token);
    await accessible('projects', true);
    await screenshots(page, 'projects');
  });

  it('deploys a dropped zip and shows its row reach Deployed without a reload', async () => {
    await page.getByRole('link', { name: shop, exact: true }).click();
    await deploymentsTable().waitFor();
    // Served from a loopback host, the deploy form starts on the region npm start serves.
    expect(await page.getByLabel('Region').inputValue()).toBe('local');
    await markDocument(page);
    await dropFile(page, '[data-testid=drop-zone]', 'greeter.zip', zipOfFolder(EXAMPLE).bytes);
    // The new deployment's page opens and follows it…
    await page.waitForURL(`**/console/projects/${shop}/deployments/greeter`, LIVE);
    await page.getByRole('heading', { name: 'greeter' }).waitFor();
    // …and back on the project page, its row moves on to Deployed by itself.
    await page.goBack();
    await rowOf('greeter').getByText('Deployed', { exact: true }).waitFor(LIVE);
    expect(await marks(page)).toEqual({ sameDocument: true, sawProgress: true });
    await accessible('project');
    await screenshots(page, 'project');

    // An API refusal reads as words, with its code.
    await page.getByLabel('Deployment key').fill('greeter');
    await dropFile(page, '[data-testid=drop-zone]', 'again.zip', zipOfFolder(EXAMPLE).bytes);
    await page
      .getByRole('alert')
      .getByText("A value for 'key' of 'greeter' already exists. (DuplicateField)")
      .waitFor(LIVE);
    await page.getByLabel('Deployment key').fill('');

    const filter = page.getByLabel('Status', { exact: true });
    await filter.selectOption('Failed');
    await page.getByText('No deployment is Failed.').waitFor();
    await filter.selectOption('Deployed');
    await rowOf('greeter').waitFor();
    await filter.selectOption('');
  });

  it('answers the deployment page’s conditional reads with 304 while the deployment stays still', async () => {
    const read = (headers: Record<string, string> = {}) =>
      api(`/${shop}/deployments/key=greeter`, { token, headers });
    const etag = (await read()).headers.get('etag') ?? '';
    const still = await read({ 'if-none-match': etag });
    const moved = await read({ 'if-none-match': '"1"' });

    expect(etag).toMatch(/^"\d+"$/);
    expect([still.status, await still.text(), still.headers.get('etag')]).toEqual([304, '', etag]);
    expect(moved.status).toBe(200);
  });

  it('opens an application URL from the row', async () => {
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      rowOf('greeter').getByRole('link', { name: 'service', exact: true }).click(),
    ]);
    await popup.waitForLoadState();
    expect(await popup.locator('body').textContent()).toContain('from the example connector');
    await popup.close();
  });

  it('shows the deployment, with its steps, configuration and logs followed live', async () => {
    // The status filter is kept in the URL: Back from a deployment finds it still set.
    await page.getByLabel('Status').selectOption('Deployed');
    expect(page.url()).toContain('?status=Deployed');
    await rowOf('greeter').getByRole('link', { name: 'greeter', exact: true }).click();
    await page.getByRole('heading', { name: 'greeter' }).waitFor();
    await page.goBack();
    await rowOf('greeter').waitFor();
    expect(await page.getByLabel('Status').inputValue()).toBe('Deployed');
    page.on('response', (response) => {
      if (response.request().method() === 'GET' && response.url().endsWith('/deployments/key=greeter'))
        greeterReads.push(response.request().headers()['if-none-match'] !== undefined);
    });
    await rowOf('greeter').getByRole('link', { name: 'greeter', exact: true }).click();
    await statusOnPage().getByText('Deployed', { exact: true }).waitFor(LIVE);
    const logs = page.getByRole('region', { name: 'Logs' });
    await logs.getByText('service: listening on port', { exact: false }).first().waitFor(LIVE);
    await page.getByText('complete', { exact: true }).waitFor();
    await page.getByText('secured · unset').waitFor();
    await logs.getByRole('button', { name: 'Pause' }).click();
    await logs.getByText('Paused', { exact: false }).waitFor();
    await logs.getByRole('button', { name: 'Resume' }).click();
    await logs.getByText('Following', { exact: false }).waitFor();
    // The live region holds the state alone, not the line count announced at every line.
    expect(await logs.getByRole('status').textContent()).toBe('Following');
    await accessible('deployment', true);
    await screenshots(page, 'deployment');
  });

  it('redeploys and cancels through their dialogs, then rolls back to a revision', async () => {
    const logs = page.getByRole('region', { name: 'Logs' });
    const linesBefore = await logs.locator('.log').count();
    // Held in Queued, so the cancel has something to stop whatever the machine's speed.
    await holdExecutions('slipway-deploy', true);
    try {
      await confirmThrough('Redeploy', 'Redeploy greeter?', 'Redeploy');
      // Queued while held; Deploying if another test file let the deploy workflow go meanwhile.
      await statusOnPage()
        .getByText(/^(Queued|Deploying)$/)
        .waitFor(LIVE);
      await page.getByRole('button', { name: 'Cancel', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Cancel greeter?' });
      await accessible('deployment with a dialog open');
      await dialog.getByRole('button', { name: 'Cancel the deploy' }).click();
      await dialog.waitFor({ state: 'hidden' });
      expect(await focusKept()).toBe(true);
    } finally {
      await holdExecutions('slipway-deploy', false);
    }
    await statusOnPage().getByText('Failed', { exact: true }).waitFor(LIVE);
    await page.getByRole('region', { name: 'Report' }).getByText('Canceled').first().waitFor(LIVE);

    await page.getByRole('button', { name: 'Rollback to revision 1' }).click();
    const dialog = page.getByRole('dialog', { name: 'Roll back?' });
    await dialog.getByRole('button', { name: 'Rollback', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await focusKept()).toBe(true);
    await page.getByText('Rolled back to revision 1').waitFor(LIVE);
    // The Revisions table follows the deployment's version: the rollback's row is Current.
    await page
      .getByRole('table', { name: 'Revisions' })
      .getByRole('row')
      .filter({ hasText: 'rollback to 1' })
      .getByText('Current')
      .waitFor(LIVE);
    await statusOnPage().getByText('Deployed', { exact: true }).waitFor(LIVE);
    // The rollback's lines arrive in the Logs region while it is followed.
    await expect.poll(() => logs.locator('.log').count(), LIVE).toBeGreaterThan(linesBefore);
    // After its first read, the page's polls name the version they hold (the API then answers
    // 304, with no body, while it stays; the test before this one checks that answer).
    expect(greeterReads.slice(0, 2)).toEqual([false, true]);
  });

  it('deletes through its dialog', async () => {
    await confirmThrough('Delete', 'Delete greeter?', 'Delete');
    await page.getByText('Deleted.').waitFor(LIVE);
    // The Delete button went with the deployment: focus is on the heading, not lost.
    expect(await focusKept()).toBe(true);
    // Gone, the page stops reading it: it used to poll every second, so none within 1.5 s (a
    // wait on an absence, which no event can signal; it runs while the page is checked).
    const readAgain = page
      .waitForResponse((response) => response.url().endsWith('/deployments/key=greeter'), { timeout: 1_500 })
      .then(
        () => true,
        () => false,
      );
    await accessible('deleted deployment');
    await screenshots(page, 'deleted');
    expect(await readAgain).toBe(false);
  });

  it('shows a failing deployment’s Error entry', async () => {
    // A project that does not exist says so, with no deploy or filter controls.
    await page.goto(`${gatewayUrl()}/console/projects/${uniqueKey('none')}`);
    await page.getByText('This project does not exist.').waitFor();
    expect(await page.getByRole('heading', { name: 'Deploy a zip' }).count()).toBe(0);
    expect(await page.getByLabel('Status').count()).toBe(0);
    await page.goto(`${gatewayUrl()}/console/projects/${broken}/deployments/failing`);
    await statusOnPage().getByText('Failed', { exact: true }).waitFor(LIVE);
    const report = page.getByRole('region', { name: 'Report' });
    await report.getByText('Error', { exact: true }).waitFor();
    expect(await report.locator('.entry-error').textContent()).toMatch(
      /build of application 'service' failed/,
    );
    await accessible('failed deployment');
    await screenshots(page, 'deployment-failed');
  });

  it('publishes connectors from a repository tag and from a zip, and shows their reports', async () => {
    const repository = gitRepository();
    repository.commitAndTag(
      Object.fromEntries(
        filesOf(EXAMPLE).map((file) => [relative(EXAMPLE, file), readFileSync(file, 'utf8')]),
      ),
      'v1.0.0',
    );
    const key = uniqueKey('greeter');
    await page.getByRole('link', { name: 'Connectors' }).click();
    await page.getByRole('heading', { name: 'Connectors', level: 1 }).waitFor();
    await page.getByLabel('Key', { exact: true }).fill(key);
    await page.getByLabel('Creator email').fill('dev@example.com');
    await page.getByLabel('Repository URL').fill(repository.url);
    await page.getByLabel('Tag', { exact: true }).fill('v1.0.0');
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.getByText(`Publishing ${key}:`).waitFor(LIVE);
    // The other while that one is checked: a zip, uploaded through a project.
    const zipKey = uniqueKey('greeter-zip');
    await page.getByLabel('Key', { exact: true }).fill(zipKey);
    await page.getByLabel('A zip').check();
    await page.getByLabel('Zip', { exact: true }).setInputFiles({
      name: 'greeter.zip',
      mimeType: 'application/zip',
      buffer: Buffer.from(zipOfFolder(EXAMPLE).bytes),
    });
    await page.getByLabel('Upload through project').fill(shop);
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.getByText(`Publishing ${zipKey}:`).waitFor(LIVE);
    const connectors = page.getByRole('table', { name: 'Connectors' });
    for (const published of [key, zipKey]) {
      const row = connectors.getByRole('row').filter({ hasText: published });
      await row.getByText('Published', { exact: true }).waitFor(LIVE);
      await row.getByText('Report (1)').click();
      await row.getByText('Information').waitFor();
    }
    await accessible('connectors');
    await screenshots(page, 'connectors');
  });

  it('signs out, in with a project-scoped token, and in again with a client id and secret', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out.').waitFor();
    expect(await focusKept()).toBe(true);
    expect(await storedSession(page)).toBeNull();
    // A project-scoped token may not list projects: the page links the ones its scope names,
    // and Connectors shows no publish form above the refusal.
    await page.getByLabel('Token', { exact: true }).fill(await tokenFor(tenant, [`view_project:${shop}`]));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('list', { name: "Projects in this token's scope" })
      .getByRole('link', { name: shop })
      .waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connectors' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('button', { name: 'Publish' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    const { client, secret } = await createClient(tenant, ['admin']);
    await page.getByLabel('Client id and secret').check();
    await page.getByLabel('Client id', { exact: true }).fill(client.clientId);
    await page.getByLabel('Client secret').fill(secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('table', { name: 'Projects' })
      .getByRole('link', { name: shop, exact: true })
      .waitFor();
  });
});
