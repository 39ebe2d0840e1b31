/**
 * The regions Connect's own clients offer: `REGIONS` of `@commercetools-connect/sdk` 0.0.13,
 * which are the only choices of the commercetools CLI's `connect deployment create --region`.
 * A server serves them beside its own region so those clients deploy to it unchanged (to
 * Slipway a region is a label on the deployment; it decides nothing about where code runs).
 */
export const CONNECT_REGIONS: readonly string[] = [
  'us-central1.gcp',
  'europe-west1.gcp',
  'australia-southeast1.gcp',
  'us-east-2.aws',
  'eu-central-1.aws',
];

/** A comma-separated list of regions: each trimmed, empty entries and repeats dropped, in order. */
export const parseRegionList = (list: string): string[] => [
  ...new Set(
    list
      .split(',')
      .map((region) => region.trim())
      .filter(Boolean),
  ),
];
