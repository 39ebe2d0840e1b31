import { CONNECT_REGIONS, parseRegionList } from '../core/deployments/regions.ts';

/** `SLIPWAY_REGIONS` is set but names no region: the stack refuses to start. */
export class RegionsSettingError extends Error {
  override readonly name = 'RegionsSettingError';
}

/**
 * The regions the embedded stack serves: `SLIPWAY_REGIONS` (comma-separated) when it is set,
 * otherwise `local` and every region Connect's clients offer, so the commercetools CLI's
 * `--region` choices work against `npm start`. `local` stays first: a BigCommerce deployment
 * names no region and takes the first one served.
 */
export const localRegions = (env: Record<string, string | undefined> = process.env): string[] => {
  const setting = env.SLIPWAY_REGIONS;
  if (setting === undefined) return ['local', ...CONNECT_REGIONS];
  const regions = parseRegionList(setting);
  if (regions.length === 0)
    throw new RegionsSettingError(
      `SLIPWAY_REGIONS names no region (got '${setting}'). Set it to a comma-separated list, e.g. SLIPWAY_REGIONS=local,europe-west1.gcp, or unset it to serve local, ${CONNECT_REGIONS.join(', ')}.`,
    );
  return regions;
};
