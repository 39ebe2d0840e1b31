/** The regions every Slipway serves by default (SLIPWAY_REGIONS; docs/configuration.md). */
export const REGIONS = [
  'europe-west1.gcp',
  'us-central1.gcp',
  'australia-southeast1.gcp',
  'us-east-2.aws',
  'eu-central-1.aws',
  'local',
] as const;

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/**
 * The region the deploy form starts on: `local` when the console is served from a loopback
 * host (the API is `npm start`'s, which serves it), else the first of Connect's. The public API
 * does not list the regions a server accepts, so this is a guess the form lets the user change.
 */
export const defaultRegion = (hostname: string): string => (LOOPBACK.test(hostname) ? 'local' : REGIONS[0]);
