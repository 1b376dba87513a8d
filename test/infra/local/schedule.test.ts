/**
 * FULL_SYNC_SCHEDULE and FULL_SYNC_TIMEZONE as the local stack and the offline s.yaml check read them:
 * the forms FC's timer trigger takes, a bad value named by its variable, and when a cron next fires in
 * its time zone (the clock is an argument, so no test waits).
 */
import { ConfigError } from '../../../functions/lib/core/errors';
import { describeSchedule, nextFire, reconcileSchedule } from '../../../infra/local/schedule';

const at = (iso: string) => new Date(iso);

describe('reconcileSchedule', () => {
  it('is daily at 03:00 in Asia/Shanghai unless told otherwise', () => {
    expect(reconcileSchedule({})).toEqual({ triggerName: 'reconcile', cron: '0 0 3 * * *', timezone: 'Asia/Shanghai' });
    expect(reconcileSchedule({ FULL_SYNC_TIMEZONE: '' })).toMatchObject({ timezone: 'Asia/Shanghai' });
  });

  it('takes a 6-field cron in a time zone, and @every in minutes or hours', () => {
    expect(reconcileSchedule({ FULL_SYNC_SCHEDULE: '0 30 2 * * MON-FRI', FULL_SYNC_TIMEZONE: 'Europe/Berlin' }))
      .toEqual({ triggerName: 'reconcile', cron: '0 30 2 * * MON-FRI', timezone: 'Europe/Berlin' });
    expect(reconcileSchedule({ FULL_SYNC_SCHEDULE: '0 0 4 ? * *' })).toMatchObject({ cron: '0 0 4 ? * *' });
    expect(reconcileSchedule({ FULL_SYNC_SCHEDULE: '@every 30m' })).toEqual({ triggerName: 'reconcile', everyMs: 30 * 60_000 });
    expect(reconcileSchedule({ FULL_SYNC_SCHEDULE: '@every 12h' })).toEqual({ triggerName: 'reconcile', everyMs: 12 * 3_600_000 });
  });

  it('is off when FULL_SYNC_SCHEDULE is empty or "off"', () => {
    expect(reconcileSchedule({ FULL_SYNC_SCHEDULE: '' })).toBeUndefined();
    expect(reconcileSchedule({ FULL_SYNC_SCHEDULE: 'off' })).toBeUndefined();
  });

  it.each([
    ['a 5-field cron', { FULL_SYNC_SCHEDULE: '0 3 * * *' }, /^invalid configuration: FULL_SYNC_SCHEDULE must be .*6-field cron.*exactly 6 parts/],
    ['a 7-field cron', { FULL_SYNC_SCHEDULE: '0 0 3 * * * 2027' }, /FULL_SYNC_SCHEDULE must be/],
    ['a field out of range', { FULL_SYNC_SCHEDULE: '0 61 3 * * *' }, /FULL_SYNC_SCHEDULE must be .*minute/],
    ['words', { FULL_SYNC_SCHEDULE: 'daily' }, /FULL_SYNC_SCHEDULE must be/],
    ['@every in seconds', { FULL_SYNC_SCHEDULE: '@every 30s' }, /FULL_SYNC_SCHEDULE must be "@every <n>m", "@every <n>h"/],
    ['@every 0m', { FULL_SYNC_SCHEDULE: '@every 0m' }, /FULL_SYNC_SCHEDULE must be/],
    ['@daily', { FULL_SYNC_SCHEDULE: '@daily' }, /FULL_SYNC_SCHEDULE must be/],
    ['an unknown time zone', { FULL_SYNC_TIMEZONE: 'Asia/Beijing' }, /^invalid configuration: FULL_SYNC_TIMEZONE must be an IANA time zone/],
  ])('refuses %s, naming the variable', (_name, env, message) => {
    expect(() => reconcileSchedule(env)).toThrow(ConfigError);
    expect(() => reconcileSchedule(env)).toThrow(message);
  });

  it('names both variables when both are wrong', () => {
    expect(() => reconcileSchedule({ FULL_SYNC_SCHEDULE: 'daily', FULL_SYNC_TIMEZONE: 'Mars/Base' }))
      .toThrow(/FULL_SYNC_TIMEZONE must be .*; FULL_SYNC_SCHEDULE must be/);
  });
});

describe('nextFire', () => {
  const daily = { triggerName: 'reconcile', cron: '0 0 3 * * *', timezone: 'Asia/Shanghai' };

  it('is 03:00 China time, 19:00 UTC the day before, strictly after the clock', () => {
    expect(nextFire(daily, at('2026-12-06T12:00:00Z'))).toEqual(at('2026-12-06T19:00:00Z'));
    expect(nextFire(daily, at('2026-12-06T18:59:59Z'))).toEqual(at('2026-12-06T19:00:00Z'));
    expect(nextFire(daily, at('2026-12-06T19:00:00Z'))).toEqual(at('2026-12-07T19:00:00Z'));
  });

  it('follows daylight saving time where the zone has it', () => {
    const berlin = { ...daily, timezone: 'Europe/Berlin' };
    expect(nextFire(berlin, at('2026-03-28T12:00:00Z'))).toEqual(at('2026-03-29T01:00:00Z')); // CET, UTC+1
    expect(nextFire(berlin, at('2026-03-29T12:00:00Z'))).toEqual(at('2026-03-30T01:00:00Z')); // CEST, UTC+2
  });

  it('counts an interval from the clock', () => {
    expect(nextFire({ triggerName: 'every-5m', everyMs: 300_000 }, at('2026-12-06T12:00:00Z'))).toEqual(at('2026-12-06T12:05:00Z'));
  });
});

describe('describeSchedule', () => {
  it('says when in the schedule\'s own zone', () => {
    expect(describeSchedule({ triggerName: 'reconcile', cron: '0 0 3 * * *', timezone: 'Asia/Shanghai' }, at('2026-12-06T12:00:00Z')))
      .toBe('0 0 3 * * * in Asia/Shanghai, next 2026-12-07 03:00:00');
    expect(describeSchedule({ triggerName: 'every-5m', everyMs: 300_000 })).toBe('every 5 minutes');
    expect(describeSchedule({ triggerName: 'r', everyMs: 3_600_000 })).toBe('every hour');
  });
});
