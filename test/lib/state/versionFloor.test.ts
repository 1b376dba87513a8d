import { announcedAt, staleLink } from '../../../functions/lib/state/versionFloor';

describe('versionFloor', () => {
  it('announces a floor only at grid versions, KEEP behind them', () => {
    expect(announcedAt(128, 128, 8)).toBe(120);
    expect(announcedAt(256, 128, 8)).toBe(248);
    expect(announcedAt(129, 128, 8)).toBeUndefined();
    expect(announcedAt(128, 0, 8)).toBeUndefined();
  });

  describe('staleLink: whether a link of version n that succeeded must be taken back', () => {
    it('keeps a link at or above the floor read after it: no pruner removes those names', () => {
      expect(staleLink(5, 0, 16, 8)).toBe(false);
      expect(staleLink(120, 120, 128, 8)).toBe(false);
      expect(staleLink(500, 248, 128, 8)).toBe(false);
    });

    it('keeps a link the floor passed by one announcement only: a removal needs two, so the name was free (ours, only slow)', () => {
      // The first floor above 100 is 120 (announced at 128); a removal of 100 needs 248 announced first.
      expect(staleLink(100, 120, 128, 8)).toBe(false);
      expect(staleLink(119, 120, 128, 8)).toBe(false);
      expect(staleLink(120, 248, 128, 8)).toBe(false); // 120's first floor above is 248
    });

    it('takes back a link the floor passed by two announcements or more: the name may have been used and removed', () => {
      expect(staleLink(100, 248, 128, 8)).toBe(true);
      expect(staleLink(6, 184, 16, 8)).toBe(true);
      expect(staleLink(1, 24, 16, 8)).toBe(true);
      expect(staleLink(1, 8, 16, 8)).toBe(false);
    });

    it('assumes the worst when this process does not prune but another did', () => {
      expect(staleLink(1, 8, 0, 8)).toBe(true);
      expect(staleLink(9, 8, 0, 8)).toBe(false);
    });
  });
});
