/** `slipway projects`: create and list the tenant's projects (the `admin` scope). */
import type { Command } from 'commander';
import { unwrap } from '../api/client.ts';
import type { Paged, Project } from '../api/types.ts';
import { action, examples } from '../command.ts';
import type { Context } from '../context.ts';
import { EXIT } from '../errors.ts';
import { columns } from '../output.ts';

const create = async (ctx: Context, key: string, options: { name?: string }) => {
  const api = await ctx.connect();
  const project = await unwrap<Project>(
    api.POST('/projects', { body: { key, ...(options.name ? { name: options.name } : {}) } }),
  );
  ctx.out.result(project);
  ctx.out.line(`Created project ${project.key}.`);
  return EXIT.ok;
};

const list = async (ctx: Context) => {
  const api = await ctx.connect();
  const page = await unwrap<Paged<Project>>(api.GET('/projects', { params: { query: { limit: '500' } } }));
  ctx.out.result(page.results);
  if (page.results.length === 0) ctx.out.line('No projects yet: slipway projects create <key>.');
  else
    for (const line of columns(page.results.map((p) => [p.key, p.name ?? '', p.createdAt])))
      ctx.out.line(line);
  return EXIT.ok;
};

export const registerProjects = (program: Command) => {
  const projects = examples(program.command('projects').description('create and list projects'), [
    'slipway projects create my-shop',
    'slipway projects ls',
  ]);
  examples(
    projects
      .command('create <key>')
      .description('create a project (2-256 characters of A-Z a-z 0-9 _ -)')
      .option('--name <name>', 'a display name')
      .action(action(create)),
    ['slipway projects create my-shop --name "My shop"'],
  );
  examples(projects.command('ls').description('list the projects').action(action(list)), [
    'slipway projects ls',
    'slipway projects ls --json',
  ]);
};
