/**
 * The synthesized templates as data: CloudFormation's intrinsic functions resolved to
 * concrete, readable ARNs (account 123456789012, resources named after their logical ids
 * without the hash), and the principals whose permissions the tests check.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../../infra/app.ts';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
}
export interface Templates {
  [stack: string]: CfnTemplate;
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement[];
}

/** The stacks as `cdk synth` builds them, bundling skipped (the tests read the code themselves). */
export const synthesize = (): Templates => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const { stateful, stateless } = buildApp(app);
  return {
    [stateful.stackName]: Template.fromStack(stateful).toJSON() as CfnTemplate,
    [stateless.stackName]: Template.fromStack(stateless).toJSON() as CfnTemplate,
  };
};

/** What AWS managed policies the roles attach grant (they are not in the templates). */
const MANAGED_POLICIES: Record<string, PolicyDocument> = {
  'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: '*',
      },
    ],
  },
};

const unhashed = (logicalId: string) => logicalId.replace(/[0-9A-F]{8}$/, '');

/** `arn:aws:s3:::b/k` → `s3:b/k`, `arn:aws:dynamodb:us-east-1:123456789012:table/T` → `dynamodb:table/T`. */
export const shortArn = (arn: string): string => {
  const m = /^arn:aws:([^:]+):([^:]*):([^:]*):(.*)$/.exec(arn);
  return m ? `${m[1]}:${m[4]}` : arn;
};

type Value = string | string[] | undefined;

/** Resolves intrinsic functions across the stacks (`Fn::ImportValue` reads the other stack's exports). */
export class Resolver {
  private readonly names = new Map<string, string>();
  private readonly exports = new Map<string, { stack: string; value: unknown }>();

  constructor(readonly templates: Templates) {
    const counts = new Map<string, number>();
    for (const template of Object.values(templates))
      for (const id of Object.keys(template.Resources))
        counts.set(unhashed(id), (counts.get(unhashed(id)) ?? 0) + 1);
    for (const template of Object.values(templates))
      for (const id of Object.keys(template.Resources))
        this.names.set(id, counts.get(unhashed(id)) === 1 ? unhashed(id) : id);
    for (const [stack, template] of Object.entries(templates))
      for (const output of Object.values(template.Outputs ?? {}))
        if (output.Export)
          this.exports.set(String(this.resolve(output.Export.Name, stack)), { stack, value: output.Value });
  }

  resource(stack: string, id: string): CfnResource {
    const resource = this.templates[stack]?.Resources[id];
    if (!resource) throw new Error(`${stack} has no resource ${id}`);
    return resource;
  }

  /** The readable name a resource is given (its logical id without the hash). */
  nameOf(id: string): string {
    return this.names.get(id) ?? id;
  }

  private attribute(stack: string, id: string, attribute: string | undefined): string {
    const resource = this.resource(stack, id);
    const props = resource.Properties ?? {};
    const name = this.nameOf(id);
    const explicit = (key: string) => {
      const value = props[key] === undefined ? undefined : this.resolve(props[key], stack);
      return typeof value === 'string' ? value : undefined;
    };
    const regional = (service: string, rest: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${rest}`;
    const table = () => {
      const tableName = explicit('TableName') ?? name;
      return { ref: tableName, attrs: { Arn: regional('dynamodb', `table/${tableName}`) } };
    };
    const shapes: Record<string, () => { ref: string; attrs: Record<string, string> }> = {
      'AWS::DynamoDB::GlobalTable': table,
      'AWS::DynamoDB::Table': table,
      'AWS::S3::Bucket': () => {
        const bucket = (explicit('BucketName') ?? name).toLowerCase();
        return {
          ref: bucket,
          attrs: {
            Arn: `arn:aws:s3:::${bucket}`,
            DomainName: `${bucket}.s3.amazonaws.com`,
            RegionalDomainName: `${bucket}.s3.${REGION}.amazonaws.com`,
          },
        };
      },
      'AWS::KMS::Key': () => ({ ref: name, attrs: { Arn: regional('kms', `key/${name}`), KeyId: name } }),
      'AWS::SecretsManager::Secret': () => {
        const arn = regional('secretsmanager', `secret:${name}-XXXXXX`);
        return { ref: arn, attrs: { Id: arn } };
      },
      'AWS::StepFunctions::StateMachine': () => {
        const machine = explicit('StateMachineName') ?? name;
        const arn = regional('states', `stateMachine:${machine}`);
        return { ref: arn, attrs: { Arn: arn, Name: machine } };
      },
      'AWS::Lambda::Function': () => {
        const fn = explicit('FunctionName') ?? name;
        return { ref: fn, attrs: { Arn: regional('lambda', `function:${fn}`) } };
      },
      'AWS::IAM::ManagedPolicy': () => ({
        ref: `arn:aws:iam::${ACCOUNT}:policy/${explicit('ManagedPolicyName') ?? name}`,
        attrs: {},
      }),
      'AWS::IAM::Role': () => {
        const role = explicit('RoleName') ?? name;
        return { ref: role, attrs: { Arn: `arn:aws:iam::${ACCOUNT}:role/${role}`, RoleId: `AROA${role}` } };
      },
      'AWS::CodeBuild::Project': () => {
        const project = explicit('Name') ?? name;
        return { ref: project, attrs: { Arn: regional('codebuild', `project/${project}`) } };
      },
      'AWS::Events::EventBus': () => {
        // CDK names a bus after its stack and path: the logical name reads better and is the same bus.
        const given = explicit('Name');
        const bus = given && !given.startsWith(stack) ? given : name;
        return { ref: bus, attrs: { Arn: regional('events', `event-bus/${bus}`), Name: bus } };
      },
      'AWS::Events::Rule': () => ({ ref: name, attrs: { Arn: regional('events', `rule/${name}`) } }),
      'AWS::CloudFront::Distribution': () => ({
        ref: name,
        attrs: { DomainName: `${name.toLowerCase()}.cloudfront.net`, Id: name },
      }),
      'AWS::Logs::LogGroup': () => {
        const group = explicit('LogGroupName') ?? `/slipway/${name}`;
        return { ref: group, attrs: { Arn: regional('logs', `log-group:${group}:*`) } };
      },
      'AWS::SNS::Topic': () => {
        const arn = regional('sns', name);
        return { ref: arn, attrs: { TopicArn: arn, TopicName: name } };
      },
      'AWS::SQS::Queue': () => ({
        ref: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`,
        attrs: { Arn: regional('sqs', name), QueueName: name },
      }),
      'AWS::ApiGatewayV2::Api': () => ({
        ref: name.toLowerCase(),
        attrs: { ApiEndpoint: `https://${name.toLowerCase()}.execute-api.${REGION}.amazonaws.com` },
      }),
      'AWS::Lambda::Url': () => ({
        ref: name,
        attrs: { FunctionUrl: `https://${name.toLowerCase()}.lambda-url.${REGION}.on.aws/` },
      }),
    };
    const shape = shapes[resource.Type]?.() ?? { ref: name, attrs: {} };
    if (attribute === undefined) return shape.ref;
    return shape.attrs[attribute] ?? `${name}.${attribute}`;
  }

  private pseudo(name: string): string | undefined {
    return {
      'AWS::Partition': 'aws',
      'AWS::Region': REGION,
      'AWS::AccountId': ACCOUNT,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': 'Slipway',
      'AWS::NoValue': undefined,
    }[name];
  }

  private sub(template: string, variables: Record<string, unknown>, stack: string): string {
    return template.replace(/\$\{([^}!][^}]*)\}/g, (_, key: string) => {
      if (key in variables) return String(this.resolve(variables[key], stack));
      const pseudo = this.pseudo(key);
      if (pseudo !== undefined) return pseudo;
      const [id = '', attribute] = key.split('.');
      return this.attribute(stack, id, attribute);
    });
  }

  /** A value with its intrinsic functions resolved; objects and arrays recursively. */
  resolve(value: unknown, stack: string): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v, stack));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    const [key, arg] = entries[0] ?? [];
    if (entries.length === 1 && key && (key === 'Ref' || key.startsWith('Fn::'))) {
      const args = arg as unknown[];
      switch (key) {
        case 'Ref':
          return this.pseudo(String(arg)) ?? this.attribute(stack, String(arg), undefined);
        case 'Fn::GetAtt': {
          const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
          return this.attribute(stack, String(id), String(attribute));
        }
        case 'Fn::Join': {
          const parts = this.resolve(args[1], stack) as Value[];
          return parts.flat().join(String(args[0]));
        }
        case 'Fn::Split':
          return String(this.resolve(args[1], stack)).split(String(args[0]));
        case 'Fn::Select':
          return (this.resolve(args[1], stack) as string[])[Number(this.resolve(args[0], stack))];
        case 'Fn::Sub':
          return typeof arg === 'string'
            ? this.sub(arg, {}, stack)
            : this.sub(String(args[0]), (args[1] ?? {}) as Record<string, unknown>, stack);
        case 'Fn::ImportValue': {
          const name = String(this.resolve(arg, stack));
          const exported = this.exports.get(name);
          if (!exported) throw new Error(`No stack exports ${name}`);
          return this.resolve(exported.value, exported.stack);
        }
        case 'Fn::If':
          // Conditions are deploy-time parameters; the first branch is the configured case.
          return this.resolve(args[1], stack);
        case 'Fn::GetAZs':
          return [`${REGION}a`, `${REGION}b`];
        default:
          throw new Error(`Cannot resolve ${key}`);
      }
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v, stack)]));
  }

  /** Every resource of a type, across the stacks. */
  *ofType(type: string): Generator<{ stack: string; id: string; resource: CfnResource }> {
    for (const [stack, template] of Object.entries(this.templates))
      for (const [id, resource] of Object.entries(template.Resources))
        if (resource.Type === type) yield { stack, id, resource };
  }

  /** The resource whose attribute (or `Ref` when `attribute` is undefined) resolves to `value`. */
  find(type: string, value: string, attribute?: string) {
    for (const found of this.ofType(type))
      if (this.attribute(found.stack, found.id, attribute) === value) return found;
    return undefined;
  }

  /** The identity policies a role has: its own, the `AWS::IAM::Policy` resources attached to it and managed ones. */
  policiesOf(stack: string, roleId: string): { name: string; document: PolicyDocument; managed: boolean }[] {
    const role = this.resource(stack, roleId);
    const props = (role.Properties ?? {}) as {
      Policies?: { PolicyName: string; PolicyDocument: unknown }[];
      ManagedPolicyArns?: unknown[];
    };
    const inline = (props.Policies ?? []).map((p) => ({
      name: p.PolicyName,
      document: this.resolve(p.PolicyDocument, stack) as PolicyDocument,
      managed: false,
    }));
    const attached = [...this.ofType('AWS::IAM::Policy')]
      .filter(({ resource }) =>
        ((resource.Properties?.Roles ?? []) as unknown[]).some(
          (r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId }),
        ),
      )
      .map(({ stack: s, id, resource }) => ({
        name: id,
        document: this.resolve(resource.Properties?.PolicyDocument, s) as PolicyDocument,
        managed: false,
      }));
    const managed = (props.ManagedPolicyArns ?? []).map((arn) => {
      const resolved = String(this.resolve(arn, stack));
      const document = MANAGED_POLICIES[resolved];
      if (!document) throw new Error(`${roleId}: the managed policy ${resolved} is not in MANAGED_POLICIES`);
      return { name: resolved, document, managed: true };
    });
    return [...inline, ...attached, ...managed];
  }
}
