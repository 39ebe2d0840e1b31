import fc from 'fast-check';
import * as z from 'zod';

/**
 * Arbitraries derived from the JSON Schema zod emits for a route's body or query
 * (`z.toJSONSchema`, input side): values that should pass it, and values that each break it
 * in one place. Whether a value really passes is always decided by zod itself afterwards;
 * these only aim.
 */

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema | false;
  prefixItems?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
}

export const jsonSchemaOf = (schema: z.ZodType): JsonSchema =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

/** Strings that have broken parsers, stores and renderers before. */
export const TRICKY_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  '\udfff',
  'a\u0000b',
  '\u202e\u0041',
  '\ufeff',
  '\u00e9t\u00e9',
  '\u{1f680}',
  'ﬀ',
  'İ',
  '../..',
  '..\\..',
  '%00',
  '%2e%2e%2f',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a lookup string, sent as text
  '${jndi:x}',
  '{{7*7}}',
  '<script>',
  "' OR 1=1 --",
  '__proto__',
  'constructor',
  'toString',
  'key=',
  'NaN',
  '-0',
  '1e309',
  '\r\n',
  '\t',
  'x'.repeat(300),
];

const str = (min = 0, max = 40): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: min, maxLength: Math.max(min, max) }) },
    {
      weight: 2,
      arbitrary: fc.string({ unit: 'binary', minLength: min, maxLength: Math.max(min, Math.min(max, 12)) }),
    },
    { weight: 1, arbitrary: fc.constantFrom(...TRICKY_STRINGS) },
  );

/** A value of some other JSON type than `schema` allows. */
export const wrongType = (): fc.Arbitrary<unknown> =>
  fc.constantFrom<unknown>(null, 0, -1, 1.5, 1e21, '', 'x', true, false, [], {}, [null], { a: 1 }, ['x']);

const isInteger = (s: JsonSchema) => s.type === 'integer';

/** What should pass `schema`. */
export const validOf = (s: JsonSchema): fc.Arbitrary<unknown> => {
  if ('const' in s) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const branches = s.anyOf ?? s.oneOf;
  if (branches) return fc.oneof(...branches.map(validOf));
  switch (s.type) {
    case 'string': {
      const min = s.minLength ?? 0;
      const max = s.maxLength ?? 64;
      if (s.pattern) {
        const re = new RegExp(s.pattern);
        return fc.stringMatching(re).filter((v) => v.length >= min && v.length <= max);
      }
      if (s.format === 'uri') return fc.webUrl().filter((v) => v.length <= max);
      return fc.oneof(
        { weight: 6, arbitrary: str(min, Math.min(max, 40)) },
        { weight: 1, arbitrary: fc.constant('x'.repeat(Math.max(min, Math.min(max, 40_000)))) },
      );
    }
    case 'integer':
    case 'number': {
      const min = s.minimum ?? -(2 ** 31);
      const max = Math.min(s.maximum ?? 2 ** 31, Number.MAX_SAFE_INTEGER);
      const small = fc.integer({ min, max: Math.min(max, min + 10) });
      const any = fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max });
      return isInteger(s)
        ? fc.oneof(small, any, fc.constant(max))
        : fc.oneof(small, any, fc.double({ min, max, noNaN: true }));
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      if (s.prefixItems && s.items === false) return fc.tuple(...s.prefixItems.map(validOf));
      const item = s.items ? validOf(s.items) : fc.jsonValue();
      const minLength = s.minItems ?? 0;
      return fc.array(item, { minLength, maxLength: Math.max(minLength, Math.min(s.maxItems ?? 3, 3)) });
    }
    case 'object': {
      const props = s.properties ?? {};
      const required = s.required ?? [];
      return fc.record(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, validOf(v)])), {
        requiredKeys: required.filter((k) => k in props),
      });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
};

const hasChildren = (s: JsonSchema) =>
  s.type === 'object' || s.type === 'array' || (s.anyOf ?? s.oneOf) !== undefined;

/** What should fail `schema`, in one place (a field missing, unknown, mistyped, too long…). */
export const invalidOf = (s: JsonSchema, depth = 0): fc.Arbitrary<unknown> => {
  const options: fc.Arbitrary<unknown>[] = [wrongType()];
  const branches = s.anyOf ?? s.oneOf;
  if (branches && depth < 4) options.push(...branches.map((b) => invalidOf(b, depth + 1)));
  if (s.enum || 'const' in s) options.push(str(0, 20), fc.constantFrom('publish ', 'PUBLISH', 'true '));
  if (s.type === 'string') {
    if (s.maxLength !== undefined) options.push(fc.constant('y'.repeat(s.maxLength + 1)));
    if (s.minLength) options.push(fc.constant(''));
    if (s.pattern) {
      const re = new RegExp(s.pattern);
      options.push(str(0, 30).filter((v) => !re.test(v)));
    }
  }
  if (isInteger(s) || s.type === 'number') {
    options.push(fc.constantFrom(0.5, -1, 2 ** 53, Number.MAX_VALUE, -0));
    if (s.minimum !== undefined) options.push(fc.constant(s.minimum - 1));
    if (s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER)
      options.push(fc.constant(s.maximum + 1));
  }
  if (s.type === 'array' && depth < 4) {
    const item = s.prefixItems?.[0] ?? (s.items || undefined);
    if (item) {
      options.push(fc.array(invalidOf(item, depth + 1), { minLength: 1, maxLength: 2 }));
      if (s.maxItems !== undefined && s.maxItems <= 200)
        options.push(validOf(item).map((v) => Array.from({ length: (s.maxItems ?? 0) + 1 }, () => v)));
    }
    if (s.minItems) options.push(fc.constant([]));
  }
  if (s.type === 'object' && depth < 4) {
    const props = Object.entries(s.properties ?? {});
    const valid = validOf(s) as fc.Arbitrary<Record<string, unknown>>;
    for (const key of s.required ?? [])
      options.push(
        valid.map((v) => {
          const { [key]: _, ...rest } = v;
          return rest;
        }),
      );
    if (s.additionalProperties === false)
      options.push(
        fc
          .tuple(
            valid,
            fc.oneof(str(1, 12), fc.constantFrom('__proto__', 'constructor', 'Key', ' key')),
            fc.jsonValue(),
          )
          .map(([v, k, x]) => (k in v ? v : { ...v, [k]: x })),
      );
    const deep = props.filter(([, p]) => hasChildren(p) || p.type !== undefined || p.enum || 'const' in p);
    if (deep.length > 0)
      options.push(
        fc
          .constantFrom(...deep)
          .chain(([k, p]) => fc.tuple(valid, fc.constant(k), invalidOf(p, depth + 1)))
          .map(([v, k, bad]) => ({ ...v, [k]: bad })),
      );
  }
  return fc.oneof(...options);
};

/** A query object as the wire carries it: strings, or arrays of strings for repeated keys. */
export const serializeQuery = (value: unknown): string => {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return `q=${encodeURIComponent(JSON.stringify(value) ?? '')}`;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    for (const one of Array.isArray(v) ? v : [v])
      params.append(k, typeof one === 'string' ? one : (JSON.stringify(one) ?? 'undefined'));
  }
  return params.toString();
};

/** Query strings no serializer writes: broken escapes, bare keys, repeated and odd separators. */
export const RAW_QUERIES = [
  '',
  '?',
  '&',
  '&&=&',
  '=',
  'limit',
  'limit=',
  'limit=%zz',
  'limit=%',
  'limit=1&limit=2',
  'limit=-1',
  'limit=1e3',
  'limit=0x10',
  'limit=%201',
  'limit=99999999999999999999999',
  'offset=10001',
  'sort=name%20asc&sort=',
  '__proto__=1',
  'constructor=x',
  '%00=%00',
  'a=%E2%98',
  `x=${'q'.repeat(3000)}`,
  'cursor=%FF%FE',
  'cursor=eyJ9',
  'cursor=e30',
  'after=e30&before=e30',
  'pageToken=e30',
  'pageToken=%00',
  'uuid:in=,,,',
  'project_uuid=../..',
  'project_uuid:in=%2C',
  'startDate=9999-99-99&endDate=x',
  'start=-1&end=1e20',
  'version=0',
  'version=1.5',
  'version=9007199254740993',
  'skipScripts=TRUE',
];
