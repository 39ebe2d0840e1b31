import { describe, expect, it } from 'vitest';
import { CONNECT_REGIONS } from '../../functions/core/deployments/regions.ts';
import { localRegions, RegionsSettingError } from '../../functions/local/regions.ts';

describe('the regions the embedded stack serves', () => {
  it('are local and every region Connect’s clients offer when SLIPWAY_REGIONS is not set', () => {
    const regions = localRegions({});

    expect(regions).toEqual(['local', ...CONNECT_REGIONS]);
    expect(regions).toEqual(
      expect.arrayContaining([
        'us-central1.gcp',
        'europe-west1.gcp',
        'australia-southeast1.gcp',
        'us-east-2.aws',
        'eu-central-1.aws',
      ]),
    );
  });

  it('are the SLIPWAY_REGIONS list when it is set: trimmed, empty entries and repeats dropped', () => {
    const regions = localRegions({ SLIPWAY_REGIONS: ' eu-central-1.aws , ,local,eu-central-1.aws,' });

    expect(regions).toEqual(['eu-central-1.aws', 'local']);
  });

  it.each(['', ' ', ' , ,'])('refuses a SLIPWAY_REGIONS of %j that names no region', (setting) => {
    const read = () => localRegions({ SLIPWAY_REGIONS: setting });

    expect(read).toThrow(RegionsSettingError);
    expect(read).toThrow(/SLIPWAY_REGIONS names no region .*comma-separated list/);
  });
});
