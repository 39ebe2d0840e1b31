/** `slipway login`: checks a credential against the server and saves it as a profile. */
import type { Command } from 'commander';
import { clientCredentialsToken, formBody, unwrap } from '../api/client.ts';
import { action, examples } from '../command.ts';
import { mask, type Profile, saveProfile } from '../config.ts';
import type { Context } from '../context.ts';
import { CliError, EXIT, usageError } from '../errors.ts';
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

const login = async (ctx: Context, options: LoginOptions) => {
  const url = (options.url ?? ctx.env.SLIPWAY_URL)?.replace(/\/+$/, '');
  if (!url) throw usageError('No server given.', 'Pass --url <url> (npm start prints it).');
  const api = ctx.anonymous(url);
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
  const seen = await unwrap<Introspection>(
    api.POST('/oauth/introspect', {
      body: { token: bearer },
      bodySerializer: formBody,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${bearer}` },
    }),
  );
  if (!seen.active)
    throw new CliError(
      `The token ${mask(bearer)} is not valid at ${url}.`,
      EXIT.auth,
      'Copy a fresh one from npm start, or log in with --client-id and --client-secret.',
    );
  const project = ctx.options.project;
  if (project) profile.project = project;
  if (options.store) profile.storeHash = options.store;
  if (options.storeToken) profile.storeToken = options.storeToken;
  const path = saveProfile(ctx.profileName, profile, ctx.env);

  const summary = {
    profile: ctx.profileName,
    url,
    clientId: seen.client_id,
    tenant: seen.tenant,
    scopes: seen.scope?.split(' ') ?? [],
    expiresAt: seen.exp ? new Date(seen.exp * 1000).toISOString() : undefined,
    project: profile.project,
    path,
  };
  ctx.out.result(summary);
  ctx.out.line(`Logged in to ${url} as client ${seen.client_id} (scopes: ${seen.scope}).`);
  ctx.out.line(`Profile '${ctx.profileName}' saved to ${path} (readable by you only).`);
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
