/**
 * Every function has the environment variables its code reads: for each Lambda handler and
 * the CodeBuild jobs, the `config` getters its bundle keeps (test/infra/aws/code.ts) give the
 * variables (parsed from functions/config.ts), and the template must set each one.
 *
 * The rule: a getter that fails when its variable is unset (`required('X')`) or chooses the
 * local behaviour when it is (`process.env.X || undefined`: on AWS it must be set) needs the
 * variable; a getter with a default (`integer('X', n)`, `flag('X')`) does not, nor do the
 * local-only variables below. What is missing today is listed in KNOWN_GAPS; the test fails
 * on a gap not listed and on a listed one that is gone.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AUTHORIZER_FUNCTION, DEFAULT_ROUTE_FUNCTION, ROUTES } from '../../functions/http/routes.ts';
import { type Loaded, load } from './aws/load.ts';
import { findPrincipals, type Principal, stateMachineTasks } from './aws/needs.ts';

/** Variables only `npm start` sets: on AWS the code takes the other branch. */
const LOCAL_ONLY: Record<string, string> = {
  SLIPWAY_SECRETS_KEY: 'read only when SLIPWAY_KMS_KEY_ID is unset (functions/wiring/cipher.ts)',
  SLIPWAY_JWT_KEY: 'read only when SLIPWAY_JWT_SECRET_ARN is unset (functions/adapters/auth/jwt-key.ts)',
  SLIPWAY_LOCAL_HOSTING_URL:
    "npm start's hosting service; unset on AWS, where Lambda hosts (functions/wiring/hosting.ts)",
  SLIPWAY_LOCAL_HOSTING_TOKEN:
    'read only when SLIPWAY_LOCAL_HOSTING_URL is set (functions/wiring/hosting.ts)',
};

/** Variables a function's code reads that its template does not set. */
const KNOWN_GAPS: { principal: string; variable: string; reason: string }[] = [
  {
    principal: 'reaper',
    variable: 'SLIPWAY_KMS_KEY_ID',
    reason:
      'configuredHosting (wiring/hosting.ts) reads it to encrypt the environments of the functions it creates; the reaper only stops, and without it names no key',
  },
  {
    principal: 'reaper',
    variable: 'SLIPWAY_WORKSPACE_DIR',
    reason:
      "build retention (wiring/reaper.ts) removes npm start's build directories only when SLIPWAY_LOCAL_HOSTING_URL is set; on AWS it removes build objects from the bucket",
  },
  {
    principal: 'upload-events',
    variable: 'SLIPWAY_BUCKET_NAME',
    reason: 'uploadDeps (wiring/uploads.ts) builds the artifacts store; marking an upload never touches it',
  },
  {
    principal: 'BuildApplication',
    variable: 'SLIPWAY_KMS_KEY_ID',
    reason: 'the jobs bundle is shared: buildDeps.cipher reads it though only the script job decrypts',
  },
];

let loaded: Loaded;
let principals: Principal[];
/** Per CodeBuild project, the variables the state machines' tasks set when they start it. */
const overrides = new Map<string, Set<string>>();

beforeAll(async () => {
  loaded = await load();
  principals = findPrincipals(loaded.resolver, loaded.code);
  for (const machine of principals.filter((p) => p.kind === 'Step Functions'))
    for (const task of stateMachineTasks(loaded.resolver, machine)) {
      const project = task.parameters.ProjectName;
      if (typeof project !== 'string') continue;
      const names = (task.parameters.EnvironmentVariablesOverride ?? []) as { Name: string }[];
      overrides.set(project, new Set([...(overrides.get(project) ?? []), ...names.map((v) => v.Name)]));
    }
}, 180_000);

/** What a principal's environment holds when it runs: its own, and for projects what tasks add. */
const environmentOf = (p: Principal) => {
  const project = p.kind === 'CodeBuild' ? String(loaded.resolver.resolve({ Ref: p.id }, p.stack)) : '';
  return new Set([...Object.keys(p.environment), ...(overrides.get(project) ?? [])]);
};

/** The variables `p`'s code needs, each with the first place that reads it. */
const needed = (p: Principal) => {
  const variables = new Map<string, string>();
  for (const read of p.code?.configReads ?? []) {
    if (read.uncalled) continue;
    const variable = loaded.variables.get(read.getter);
    if (!variable)
      throw new Error(`${read.site}: config.${read.getter} is not a getter of functions/config.ts`);
    if (variable.kind === 'default' || variable.variable in LOCAL_ONLY) continue;
    if (!variables.has(variable.variable)) variables.set(variable.variable, read.site);
  }
  return variables;
};

describe('Environment variables', () => {
  it('checks every route, the authorizer, the default route and every state machine task', () => {
    const checked = new Set(principals.filter((p) => p.code).map((p) => p.name));
    const routed = [...ROUTES.map((r) => r.function), AUTHORIZER_FUNCTION, DEFAULT_ROUTE_FUNCTION];
    const tasks = principals
      .filter((p) => p.kind === 'Step Functions')
      .flatMap((machine) => stateMachineTasks(loaded.resolver, machine))
      .flatMap((task) => {
        const arn = task.parameters.FunctionName;
        const fn =
          typeof arn === 'string' ? loaded.resolver.find('AWS::Lambda::Function', arn, 'Arn') : undefined;
        return fn ? [principals.find((p) => p.id === fn.id)?.name ?? fn.id] : [];
      });

    expect([...new Set([...routed, ...tasks])].filter((name) => !checked.has(name))).toEqual([]);
    expect(tasks.length).toBeGreaterThan(0);
  });

  it('sets every variable the code of each function and build job reads, except the known gaps', () => {
    const gaps = principals.flatMap((p) =>
      [...needed(p)]
        .filter(([variable]) => !environmentOf(p).has(variable))
        .map(([variable, site]) => ({ principal: p.name, variable, site })),
    );
    const known = new Set(KNOWN_GAPS.map((g) => `${g.principal} ${g.variable}`));
    const found = new Set(gaps.map((g) => `${g.principal} ${g.variable}`));

    expect(
      gaps
        .filter((g) => !known.has(`${g.principal} ${g.variable}`))
        .map((g) => `${g.principal}: ${g.variable} is not set, and ${g.site} reads it`),
      'Variables the code reads that the template does not set',
    ).toEqual([]);
    expect(
      KNOWN_GAPS.filter((g) => !found.has(`${g.principal} ${g.variable}`)).map(
        (g) => `${g.principal} ${g.variable}`,
      ),
      'KNOWN_GAPS entries that are set now: remove them',
    ).toEqual([]);
  });

  it('defines every variable a buildspec command reads (project, task, buildspec or CodeBuild)', () => {
    const missing = principals
      .filter((p) => p.kind === 'CodeBuild')
      .flatMap((p) => {
        const source = loaded.resolver.resource(p.stack, p.id).Properties?.Source as { BuildSpec?: unknown };
        const spec = String(loaded.resolver.resolve(source.BuildSpec ?? '', p.stack));
        const assigned = new Set(
          [...spec.matchAll(/(?:^|[\s;"(])(?:export )?([A-Z_][A-Z0-9_]*)=/g)].map((m) => m[1]),
        );
        const declared = environmentOf(p);
        return [...new Set([...spec.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1] ?? ''))]
          .filter((v) => !declared.has(v) && !assigned.has(v) && !/^(CODEBUILD_\w+|PWD|HOME)$/.test(v))
          .map((v) => `${p.name}: its buildspec reads $${v}, which nothing sets`);
      });

    expect(missing).toEqual([]);
  });
});
