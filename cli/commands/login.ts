/** `slipway login`: checks a credential against the server and saves it as a profile. */
import type { Command } from 'commander';
import { clientCredentialsToken, formBody, unwrap } from '../api/client.ts';
import { action, examples } from '../command.ts';
import { mask, type Profile, readProfiles, saveProfile } from '../config.ts';
import { type Context, serverUrl } from '../context.ts';
import { ApiError, CliError, EXIT, usageError } from '../errors.ts';
import { askSecret } from '../prompt.ts';

interface LoginOptions {
  url?: string;
  token?: string;
  clientId?: string;
  clientSecret?: string;
  store?: string;
  storeToken?: string;
}

interface Introspection {
  active: boolean;
  scope?: string;
  client_id?: string;
  tenant?: string;
  exp?: number;
}

/** The credential fields: a login replaces them together, so an old secret never outlives its token. */
const CREDENTIAL_FIELDS = [
  'token',
  'clientId',
  'clientSecret',
  'accessToken',
  'accessTokenExpiresAt',
] as const;

/**
 * The profile a login saves: the new server and credential over the saved profile's other
 * fields (project, store), so logging in again with a fresh token keeps them.
 */
export const mergedProfile = (saved: Profile | undefined, given: Profile): Profile => {
  const kept: Profile = { ...saved, url: given.url };
  for (const field of CREDENTIAL_FIELDS) delete kept[field];
  const defined = Object.entries(given).filter(([, value]) => value !== undefined);
  return { ...kept, ...Object.fromEntries(defined) };
};

/** Login saves under --profile, else SLIPWAY_PROFILE, else `default`: never over whichever is current. */
export const loginProfileName = (flag: string | undefined, env: NodeJS.ProcessEnv): string =>
  flag ?? env.SLIPWAY_PROFILE ?? 'default';

const INVALID_TOKEN_HINT = 'Copy a fresh one from npm start, or log in with --client-id and --client-secret.';

const login = async (ctx: Context, options: LoginOptions) => {
  const given = options.url ?? ctx.env.SLIPWAY_URL;
  if (!given) throw usageError('No server given.', 'Pass --url <url> (npm start prints it).');
  const url = serverUrl(given, options.url ? '--url' : 'SLIPWAY_URL');
  const api = ctx.anonymous(url);
  const name = loginProfileName(ctx.options.profile, ctx.env);
  const profile: Profile = { url };
  let bearer: string;
  if (options.clientId) {
    const secret = options.clientSecret ?? (await askSecret('Client secret: '));
    const fresh = await clientCredentialsToken(api, options.clientId, secret);
    Object.assign(profile, {
      clientId: options.clientId,
      clientSecret: secret,
      accessToken: fresh.token,
      accessTokenExpiresAt: fresh.expiresAt.toISOString(),
    });
    bearer = fresh.token;
  } else {
    bearer = options.token ?? (await askSecret('Token (npm start prints an admin token): '));
    if (!bearer)
      throw usageError('No token given.', 'Pass --token <token>, or --client-id and --client-secret.');
    profile.token = bearer;
  }
  // RFC 7662 introspection says whether the token is live, and for whom.
  const invalid = new CliError(
    `The token ${mask(bearer)} is not valid at ${url}.`,
    EXIT.auth,
    INVALID_TOKEN_HINT,
  );
  // Introspection authenticates its caller with the token itself: a bad one is answered 401.
  const seen = await unwrap<Introspection>(
    api.POST('/oauth/introspect', {
      body: { token: bearer },
      bodySerializer: formBody,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${bearer}` },
    }),
  ).catch((error: unknown) => {
    throw error instanceof ApiError && error.status === 401 ? invalid : error;
  });
  if (!seen.active) throw invalid;
  profile.project = ctx.options.project;
  profile.storeHash = options.store;
  profile.storeToken = options.storeToken;
  const saved = mergedProfile(readProfiles(ctx.env).profiles[name], profile);
  const path = saveProfile(name, saved, ctx.env);

  const summary = {
    profile: name,
    url,
    clientId: seen.client_id,
    tenant: seen.tenant,
    scopes: seen.scope?.split(' ') ?? [],
    expiresAt: seen.exp ? new Date(seen.exp * 1000).toISOString() : undefined,
    project: saved.project,
    path,
  };
  ctx.out.result(summary);
  ctx.out.line(`Logged in to ${url} as client ${seen.client_id} (scopes: ${seen.scope}).`);
  ctx.out.line(`Profile '${name}' saved to ${path} (readable by you only).`);
  if (!profile.clientId && summary.expiresAt)
    ctx.out.line(
      `The token expires at ${summary.expiresAt}; log in with a client id and secret to renew tokens.`,
    );
  return EXIT.ok;
};

export const registerLogin = (program: Command) => {
  examples(
    program
      .command('login')
      .description('save a server and a credential as a profile (file mode 0600 in your config dir)')
      .option('--url <url>', 'the server (default: SLIPWAY_URL)')
      .option('--token <token>', 'a bearer token (asked for when neither it nor a client id is given)')
      .option(
        '--client-id <id>',
        'an API client id: tokens are then obtained and renewed by client credentials',
      )
      .option('--client-secret <secret>', 'the client’s secret (asked for when not given)')
      .option('--store <hash>', 'a BigCommerce store hash, for slipway bc')
      .option('--store-token <token>', 'that store’s X-Auth-Token, for slipway bc')
      .action(action(login)),
    [
      'slipway login --url http://127.0.0.1:3000 --token "$SLIPWAY_TOKEN" --project my-shop',
      'slipway login --url "$SLIPWAY_URL" --client-id "$CLIENT_ID" --client-secret "$CLIENT_SECRET"',
      'slipway login --profile staging --url https://slipway.example.com --client-id abc',
    ],
  );
};
