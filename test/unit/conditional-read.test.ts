import { describe, expect, it } from 'vitest';
import { notModified } from '../../functions/http/views.ts';

describe('If-None-Match on a deployment read', () => {
  it('is satisfied by the current version, weak or strong, in a list, or *', () => {
    for (const header of ['"4"', 'W/"4"', '"2", "4"', '*']) expect(notModified(header, 4), header).toBe(true);
  });

  it('is not by another version, a malformed tag or no header', () => {
    for (const header of ['"3"', '4', '"40"', '', undefined])
      expect(notModified(header, 4), String(header)).toBe(false);
  });
});
