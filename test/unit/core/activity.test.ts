import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { ActivityService } from '../../../src/core/activity/service.js';
import type { ActivityItem, NewActivity } from '../../../src/core/activity/types.js';
import type { Msisdn } from '../../../src/kernel/msisdn.js';
import { InMemoryActivity } from '../../support/fakes/activity.js';
import { FakeClock } from '../../support/fakes/clock.js';

const ENTRY: NewActivity = {
  merchantId: 1,
  endpointId: 2_147_483_648,
  productId: 1002,
  msisdn: '+27825550000' as Msisdn,
  operator: '655-01',
  engagement: 'banner-clicked',
  data: [
    { key: 'BannerID', value: { type: 'integer', value: 9_007_199_254_740_993n } },
    { key: 'Amount', value: { type: 'decimal', value: '12.50' } },
    { key: 'UserAgent', value: { type: 'text', value: 'Mozilla/5.0' } },
  ],
};

describe('activity log on fakes', () => {
  let repository: InMemoryActivity;
  let clock: FakeClock;
  let activity: ActivityService;
  beforeEach(() => {
    repository = new InMemoryActivity();
    clock = new FakeClock();
    activity = new ActivityService(repository, clock);
  });

  it('an entry is kept with its typed values at the clock time, and listed by merchant and window in time order', async () => {
    const first = await activity.log(ENTRY);
    assert.deepEqual(first, { ok: true, value: { entryId: 1, occurredAt: clock.now() } });
    clock.advance(60_000);
    await activity.log({ ...ENTRY, merchantId: 2 });
    await activity.log({ ...ENTRY, engagement: 'service-accessed', data: [] });
    const start = new Date(clock.now().getTime() - 60_000);
    const all = await activity.list({ merchantId: 1, from: start, until: new Date(clock.now().getTime() + 1), limit: 10 });
    assert.ok(all.ok);
    assert.deepEqual(
      all.value.map((e) => [e.entryId, e.engagement]),
      [
        [1, 'banner-clicked'],
        [3, 'service-accessed'],
      ],
    );
    assert.deepEqual(all.value[0]?.data, ENTRY.data);
    const page = await activity.list({ merchantId: 1, from: start, until: new Date(clock.now().getTime() + 1), after: { occurredAt: start, entryId: 1 }, limit: 10 });
    assert.deepEqual(page.ok && page.value.map((e) => e.entryId), [3]);
    assert.deepEqual(await activity.list({ merchantId: 1, from: start, until: start, limit: 10 }), {
      ok: false,
      error: { kind: 'invalid-field', field: 'window', reason: 'must end after it starts' },
    });
    assert.deepEqual(await activity.list({ merchantId: 1, from: start, until: clock.now(), limit: 501 }), {
      ok: false,
      error: { kind: 'invalid-field', field: 'limit', reason: 'must be 1-500' },
    });
  });

  it('refuses bad entries before anything is stored, naming the item', async () => {
    const refused = async (entry: Partial<NewActivity>) => {
      const answer = await activity.log({ ...ENTRY, ...entry });
      return answer.ok ? assert.fail('logged') : answer.error;
    };
    const item = (value: ActivityItem['value'], key = 'K'): ActivityItem[] => [{ key, value }];
    assert.deepEqual(await refused({ engagement: 'Banner Clicked' }), { kind: 'invalid-field', field: 'engagement', reason: 'must be a lower-case name of 1-40 characters' });
    assert.deepEqual(await refused({ data: item({ type: 'integer', value: 2n ** 63n }) }), { kind: 'invalid-field', field: 'data K', reason: 'is out of range for a 64-bit integer' });
    assert.deepEqual(await refused({ data: item({ type: 'decimal', value: '1e5' }) }), { kind: 'invalid-field', field: 'data K', reason: 'is not a decimal of at most 18.8 digits' });
    assert.deepEqual(await refused({ data: item({ type: 'text', value: 'x'.repeat(1001) }) }), { kind: 'invalid-field', field: 'data K', reason: 'must be at most 1000 characters' });
    assert.deepEqual(await refused({ data: item({ type: 'text', value: 'a\u0000' }) }), { kind: 'invalid-field', field: 'data K', reason: 'must not contain NUL' });
    assert.deepEqual(await refused({ data: item({ type: 'text', value: 'a' }, 'bad key') }), {
      kind: 'invalid-field',
      field: 'data bad key',
      reason: 'is not a key of 1-64 letters, digits, _ . -',
    });
    assert.deepEqual(await refused({ data: [...item({ type: 'text', value: 'a' }, 'URL'), ...item({ type: 'text', value: 'b' }, 'url')] }), {
      kind: 'invalid-field',
      field: 'data url',
      reason: 'is given twice',
    });
    const many = Array.from({ length: 33 }, (_, i) => ({ key: `k${i}`, value: { type: 'text', value: 'v' } as const }));
    assert.deepEqual(await refused({ data: many }), { kind: 'invalid-field', field: 'data', reason: 'at most 32 items' });
    assert.deepEqual(await refused({ operator: '655' }), { kind: 'invalid-field', field: 'operator', reason: 'must be MCC-MNC' });
    assert.equal(repository.entries.length, 0);
  });
});
