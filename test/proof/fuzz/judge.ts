import { dialectForPath } from '../../../functions/http/dialects.ts';
import { matchRoute } from '../../../functions/http/routes.ts';
import type { RawResponse } from './raw-http.ts';
import { type Built, MARKERS } from './requests.ts';

/**
 * What every answer must hold, whatever was asked: no 5xx; an error in its dialect's envelope
 * (the sites' proxy answers text: it is the tenant's website); nothing of the host (stack
 * frames, paths) and no secret; and a request that cannot succeed is refused.
 */

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const envelopeProblem = (path: string, status: number, body: string): string | undefined => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `a ${status} whose body is not JSON`;
  }
  if (!isObject(parsed)) return `a ${status} whose body is not an object`;
  if (dialectForPath(path) === 'bigcommerce') {
    if (parsed.status !== status)
      return `BigCommerce envelope: status ${String(parsed.status)}, not ${status}`;
    if (typeof parsed.title !== 'string') return 'BigCommerce envelope without a title';
    if (typeof parsed.type !== 'string') return 'BigCommerce envelope without a type';
    return undefined;
  }
  if (parsed.statusCode !== status)
    return `Connect envelope: statusCode ${String(parsed.statusCode)}, not ${status}`;
  if (typeof parsed.message !== 'string') return 'Connect envelope without a message';
  const errors = parsed.errors;
  if (!Array.isArray(errors) || errors.length === 0) return 'Connect envelope without errors';
  for (const e of errors)
    if (!isObject(e) || typeof e.code !== 'string' || typeof e.message !== 'string')
      return 'Connect envelope with an error lacking code or message';
  return undefined;
};

export const judge = (request: Built, response: RawResponse, secrets: string[]): string[] => {
  const problems: string[] = [];
  const { status } = response;
  if (status >= 500) problems.push(`answered ${status}`);
  const path = request.target.split('?')[0] ?? '/';
  const match = matchRoute(request.method, path);
  const site = match.kind === 'route' && match.route.function === 'sites';
  if (status >= 400 && request.method !== 'HEAD' && !site && !response.cut) {
    const problem = envelopeProblem(path, status, response.body);
    if (problem) problems.push(problem);
  }
  const everything = `${Object.entries(response.headers)
    .map(([n, v]) => `${n}: ${v}`)
    .join('\n')}\n\n${response.body}`;
  // A connector's repository URL is the tenant's own input, echoed back: other test files
  // register file:// repositories made in the temporary folder, and the search answer shows them.
  const shown = everything.replace(/file:\/\/[^"\s]*\/slipway-repo-[^"\s]*/g, 'file://<repository>');
  for (const marker of MARKERS)
    if (shown.includes(marker)) problems.push(`the answer holds ${JSON.stringify(marker)}`);
  for (const secret of secrets)
    if (everything.includes(secret)) problems.push('the answer holds a secret value');
  if (request.mustFail && status < 400)
    problems.push(`answered ${status} to a request that cannot succeed (${request.auth} credentials)`);
  if (request.mutation && request.touchesFixed && status < 400)
    problems.push(`answered ${status} to a write naming a resource that must not change`);
  return problems;
};

/** One line per request and answer, short enough to read in a failure report. */
export const describeExchange = (request: Built, response: RawResponse | Error): string => {
  const headers = request.headers.map(
    ([n, v]) => `${n}: ${v.length > 80 ? `${v.slice(0, 80)}…(${v.length})` : v}`,
  );
  const body = request.body
    ? request.body.length > 300
      ? `${request.body.subarray(0, 300).toString('utf8')}…(${request.body.length} bytes)`
      : request.body.toString('utf8')
    : '';
  const target =
    request.target.length > 300
      ? `${request.target.slice(0, 300)}…(${request.target.length})`
      : request.target;
  const answer =
    response instanceof Error
      ? `no answer: ${response.message}`
      : `${response.status} ${response.body.slice(0, 600)}`;
  return `${request.method} ${JSON.stringify(target)} [${request.routeKey}] headers=${JSON.stringify(headers)} body=${JSON.stringify(body)}\n  -> ${answer}`;
};
