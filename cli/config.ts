/**
 * Profiles: where `slipway login` keeps a server's address and credentials, in the user's
 * config dir (env-paths: `~/.config/slipway/profiles.json` on Linux, `XDG_CONFIG_HOME`
 * honoured), readable by its owner only. `SLIPWAY_URL`, `SLIPWAY_TOKEN` and `SLIPWAY_PROJECT`
 * override a profile, so CI and scripts need no login.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import envPaths from 'env-paths';
import { CliError, EXIT } from './errors.ts';

export interface Profile {
  url: string;
  /** A bearer token given to `login --token` (the one `npm start` prints, say). */
  token?: string;
  /** API client credentials: a token is asked for with them when needed (OAuth2 client credentials). */
  clientId?: string;
  clientSecret?: string;
  /** The token last obtained with the client credentials, reused until shortly before it expires. */
  accessToken?: string;
  accessTokenExpiresAt?: string;
  /** The project commands use when neither `--project` nor SLIPWAY_PROJECT names one. */
  project?: string;
  /** A BigCommerce store and its X-Auth-Token, for `slipway bc`. */
  storeHash?: string;
  storeToken?: string;
}

interface ProfilesFile {
  current?: string;
  profiles: Record<string, Profile>;
}

/** The folder profiles live in (created on first login). */
export const configDir = (env: NodeJS.ProcessEnv = process.env): string =>
  env.SLIPWAY_CONFIG_DIR ?? envPaths('slipway', { suffix: '' }).config;

export const profilesPath = (env: NodeJS.ProcessEnv = process.env) => join(configDir(env), 'profiles.json');

export const readProfiles = (env: NodeJS.ProcessEnv = process.env): ProfilesFile => {
  const path = profilesPath(env);
  if (!existsSync(path)) return { profiles: {} };
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ProfilesFile;
  } catch {
    throw new CliError(`${path} is not valid JSON.`, EXIT.failed, 'Remove it and run slipway login again.');
  }
};

/**
 * Writes the profiles file with mode 0600 (its folder 0700): it holds secrets. Written to a
 * temporary file first and renamed, so a crash never leaves half a file.
 */
export const writeProfiles = (file: ProfilesFile, env: NodeJS.ProcessEnv = process.env): string => {
  const path = profilesPath(env);
  mkdirSync(configDir(env), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  // A umask cannot widen it, but an existing file's mode survives a rename: set it anyway.
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
  return path;
};

/** The profile a command uses: `--profile`, else SLIPWAY_PROFILE, else the one last logged in to. */
export const profileName = (flag: string | undefined, env: NodeJS.ProcessEnv = process.env) =>
  flag ?? env.SLIPWAY_PROFILE ?? readProfiles(env).current ?? 'default';

export const saveProfile = (name: string, profile: Profile, env: NodeJS.ProcessEnv = process.env) => {
  const file = readProfiles(env);
  return writeProfiles({ current: name, profiles: { ...file.profiles, [name]: profile } }, env);
};

/** Updates a saved profile's fields (a refreshed token); nothing when the profile is not saved. */
export const updateProfile = (
  name: string,
  fields: Partial<Profile>,
  env: NodeJS.ProcessEnv = process.env,
) => {
  const file = readProfiles(env);
  const profile = file.profiles[name];
  if (!profile) return;
  writeProfiles({ ...file, profiles: { ...file.profiles, [name]: { ...profile, ...fields } } }, env);
};

/** `eyJhbGciOi…` → `eyJhbG…(masked)`: enough to tell tokens apart, never enough to use one. */
export const mask = (secret: string | undefined): string =>
  secret ? `${secret.slice(0, 6)}…(masked)` : '(none)';
