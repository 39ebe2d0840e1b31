import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newcomerEnv, ROOT, type Server, startServer } from '../fixtures/server.ts';

/**
 * The README taken literally: `npm start` as a newcomer runs it, the `export` lines its banner
 * prints, then every shell block of the README's walkthrough, in order, in one bash with
 * `-euo pipefail` (a failing command fails the test). So the README cannot drift from what works.
 */

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The ```sh blocks between a level-2 heading and the next one. */
const sectionBlocks = (markdown: string, heading: string): string[] => {
  const start = markdown.indexOf(`\n${heading}`);
  const end = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => String(m[1]));
};

const walkthroughBlocks = (markdown: string): string[] => sectionBlocks(markdown, '## Walkthrough');

/** The Quick start's commands run against `npm start`: the example deployed with the slipway CLI. */
const quickStartDeploy = (markdown: string): string[] =>
  sectionBlocks(markdown, '## Quick start').filter((block) => block.includes('npx slipway'));

const run = (script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> =>
  new Promise((resolve) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd: ROOT, env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('close', (code) => resolve({ code, output }));
  });

let server: Server;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

describe('the README', () => {
  it('lists the prerequisites the walkthrough uses, and no tool it does not need', () => {
    const blocks = walkthroughBlocks(README).join('\n');
    for (const tool of ['git', 'curl']) expect(README).toMatch(new RegExp(`\\*\\*${tool}\\*\\*`));
    for (const tool of ['jq', 'zip ', 'uuidgen'])
      expect(blocks).not.toMatch(new RegExp(`(^|[\\s|(])${tool}`, 'm'));
    // Every variable the walkthrough reads is one the banner's export lines set, or set by an earlier line.
    expect(server.output()).toMatch(/^ {2}export SLIPWAY_URL=\S+ SLIPWAY_TOKEN=\S+$/m);
  });

  it('runs every command of the walkthrough against npm start, in order', async () => {
    const exports = server
      .output()
      .split('\n')
      .filter((line) => /^ {2}export /.test(line))
      .map((line) => line.trim());
    expect(exports).toHaveLength(3);
    const blocks = walkthroughBlocks(README);
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    const quickStart = quickStartDeploy(README);
    expect(quickStart.join('\n')).toMatch(
      /^npx slipway deploy examples\/connector --project \S+ --key \S+$/m,
    );

    const { code, output } = await run([...exports, ...quickStart, ...blocks].join('\n'), newcomerEnv());

    expect(output, output).toContain('"status":"ok"');
    expect(code, output).toBe(0);
    // The quick start: npx slipway deployed the example and printed where its service answers.
    const serviceUrl = /^service\s+(http:\/\/\S+\/service)$/m.exec(output)?.[1];
    expect(output).toMatch(/^● Deployed hello in /m);
    expect(await (await fetch(String(serviceUrl))).text()).toContain('Hello from the example connector!');
    // The connector: published, deployed, its service answering with the configured greeting.
    expect(output).toMatch(/^Published$/m);
    expect(output).toMatch(/^Deployed$/m);
    expect(output).toContain('Hi there from the example connector!');
    expect(output).toContain('postDeploy: the service is live at');
    // The rollback: two revisions, revision 1 restored, the service greeting as it first did.
    expect(output).toMatch(/^2\n1$/m);
    expect(output.split('Hi there from the example connector!')).toHaveLength(3);
    // The storefront: its events end completed, and its address serves the page.
    expect(output).toContain('"deployment_status":"completed"');
    expect(output).toContain('Welcome');
    // The failing example: Failed, with its Error entry and the build's own words in the logs.
    expect(output).toMatch(/^Failed$/m);
    expect(output).toContain('ApplicationBuildFailed');
    expect(output).toContain('Error: the build needs src/index.ts');
    // No secured value comes back.
    expect(output).not.toContain('s3cret');
  }, 240_000);
});
