/**
 * What every command gets: the global options, the output, and (on first use) the API client
 * for the connection the profile and the environment name.
 */
import packageJson from '../package.json' with { type: 'json' };
import { type Api, clientCredentialsToken, createApi } from './api/client.ts';
import { type Profile, profileName, readProfiles, updateProfile } from './config.ts';
import { CliError, EXIT, usageError } from './errors.ts';
import { Output } from './output.ts';

/** The options every command accepts (defined on the program, so they go anywhere on the line). */
export interface GlobalOptions {
  json?: boolean;
  project?: string;
  profile?: string;
  color: boolean;
}

/** The package's version; imported (not read at run time) so the bundle the launcher makes carries it. */
export const VERSION: string = packageJson.version;

const USER_AGENT = `slipway-cli/${VERSION} node/${process.versions.node}`;

/** A token obtained with client credentials is renewed this long before it expires. */
const RENEW_BEFORE_MS = 60_000;

const NO_SERVER_HINT =
  'Run slipway login --url <url> --token <token>, or set SLIPWAY_URL and SLIPWAY_TOKEN (npm start prints both).';

/**
 * A server address as given (`--url`, SLIPWAY_URL, a profile), checked: `127.0.0.1:3000`
 * without a scheme would otherwise fail deep inside fetch with a stack trace.
 */
export const serverUrl = (raw: string, source: string): string => {
  let parsed: URL | undefined;
  try {
    parsed = new URL(raw);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
    throw usageError(
      `${source} gives '${raw}', which is not an http:// or https:// URL.`,
      'Give the whole address, such as http://127.0.0.1:3000 (npm start prints it).',
    );
  return raw.replace(/\/+$/, '');
};

export class Context {
  readonly out: Output;
  private api?: Api;

  constructor(
    readonly options: GlobalOptions,
    readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.out = new Output({ json: options.json ?? false, color: options.color });
  }

  get profileName(): string {
    return profileName(this.options.profile, this.env);
  }

  get profile(): Profile | undefined {
    const { profiles } = readProfiles(this.env);
    const profile = profiles[this.profileName];
    // A name given on purpose that matches nothing is a typo, not a missing login.
    const named = this.options.profile ?? this.env.SLIPWAY_PROFILE;
    if (!profile && named)
      throw usageError(
        `No profile '${named}' (saved: ${Object.keys(profiles).join(', ') || 'none'}).`,
        `Pick a saved one, or create it with slipway login --profile ${named}.`,
      );
    return profile;
  }

  /** The server's address: SLIPWAY_URL, else the profile's. */
  get url(): string {
    if (this.env.SLIPWAY_URL) return serverUrl(this.env.SLIPWAY_URL, 'SLIPWAY_URL');
    const url = this.profile?.url;
    if (!url) throw new CliError('No Slipway server is configured.', EXIT.auth, NO_SERVER_HINT);
    return serverUrl(url, `The profile '${this.profileName}'`);
  }

  /** The project commands act on: `--project`, else SLIPWAY_PROJECT, else the profile's. */
  get project(): string {
    const project = this.options.project ?? this.env.SLIPWAY_PROJECT ?? this.profile?.project;
    if (!project)
      throw usageError(
        'No project given.',
        'Pass --project <key>, set SLIPWAY_PROJECT, or save one with slipway login --project <key>.',
      );
    return project;
  }

  /** The client for the Connect dialect and Slipway's routes, with the bearer token. */
  async connect(): Promise<Api> {
    this.api ??= createApi(this.url, { bearer: await this.bearer() }, USER_AGENT);
    return this.api;
  }

  /** A client with no credential (the token endpoint, health). */
  anonymous(url = this.url): Api {
    return createApi(url, {}, USER_AGENT);
  }

  /** A client for the BigCommerce dialect, with a store's X-Auth-Token. */
  store(storeToken: string): Api {
    return createApi(this.url, { storeToken }, USER_AGENT);
  }

  /**
   * SLIPWAY_TOKEN; else the profile's (when SLIPWAY_URL does not point elsewhere): a token
   * from its client credentials, renewed when it is about to expire, or the token it holds.
   */
  private async bearer(): Promise<string> {
    if (this.env.SLIPWAY_TOKEN) return this.env.SLIPWAY_TOKEN;
    const profile = this.profile;
    if (!profile || (this.env.SLIPWAY_URL && this.env.SLIPWAY_URL.replace(/\/+$/, '') !== profile.url))
      throw new CliError(`No credential for ${this.url}.`, EXIT.auth, NO_SERVER_HINT);
    if (profile.clientId && profile.clientSecret) {
      const expiresAt = Date.parse(profile.accessTokenExpiresAt ?? '');
      if (profile.accessToken && expiresAt - Date.now() > RENEW_BEFORE_MS) return profile.accessToken;
      const fresh = await clientCredentialsToken(this.anonymous(), profile.clientId, profile.clientSecret);
      updateProfile(
        this.profileName,
        { accessToken: fresh.token, accessTokenExpiresAt: fresh.expiresAt.toISOString() },
        this.env,
      );
      return fresh.token;
    }
    if (profile.token) return profile.token;
    throw new CliError(`The profile '${this.profileName}' holds no credential.`, EXIT.auth, NO_SERVER_HINT);
  }
}
