import { describe, expect, it } from 'vitest';
import { buildsToDiscard } from '../../functions/core/deployments/retention.ts';

/** Revisions newest first, as the repository lists them: `[buildId, kept?]`. */
const revisions = (...builds: (string | [string, boolean])[]) =>
  builds.map((b) =>
    typeof b === 'string' ? { buildId: b, buildKept: true } : { buildId: b[0], buildKept: b[1] },
  );

describe('build retention', () => {
  it('keeps the newest N distinct builds and discards older ones', () => {
    expect(buildsToDiscard(revisions('d', 'c', 'b', 'a'), 2, 'd')).toEqual(['b', 'a']);
  });

  it('never discards the build served, however old', () => {
    expect(buildsToDiscard(revisions('d', 'c', 'b', 'a'), 2, 'a')).toEqual(['b']);
  });

  it("counts a build once however many revisions ran it (a rollback's revision shares its build)", () => {
    expect(buildsToDiscard(revisions('a', 'c', 'b', 'a'), 2, 'a')).toEqual(['b']);
  });

  it('asks nothing for builds already discarded', () => {
    expect(buildsToDiscard(revisions('c', 'b', ['a', false]), 1, 'c')).toEqual(['b']);
  });

  it('keeps at least one build even when told to keep none', () => {
    expect(buildsToDiscard(revisions('b', 'a'), 0, undefined)).toEqual(['a']);
  });
});
