import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activityItems, ENGAGEMENT_TYPES, engagementOf } from '../../src/facades/infomedia/methods/activity-catalogue.js';

const pair = (Key: string, Value: string) => ({ Key, Value });

describe('Infomedia LogActivity catalogues (reference §6)', () => {
  it('the fourteen engagement types and nothing else', () => {
    assert.deepEqual([...ENGAGEMENT_TYPES.keys()], [1, 2, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18, 22]);
    assert.deepEqual(engagementOf(' 6 '), { ok: true, value: 'banner-clicked' });
    assert.deepEqual(engagementOf('06'), { ok: true, value: 'banner-clicked' });
    assert.deepEqual(engagementOf('3'), { ok: false, error: 'EngagementTypeID 3 is not an engagement type' });
    assert.deepEqual(engagementOf('1.0'), { ok: false, error: 'EngagementTypeID 1.0 is not an engagement type' });
    assert.deepEqual(engagementOf(undefined), { ok: false, error: 'EngagementTypeID is required' });
  });

  it('keys read case-insensitively under the document’s spelling, values by their listed type', () => {
    assert.deepEqual(
      activityItems([
        pair('landingpageengagementid', '9223372036854775807'),
        pair('BannerID', ' 42 '),
        pair('AMOUNT', '+0.25'),
        pair('url', 'https://example.com/?a=1'),
      ]),
      {
        ok: true,
        value: [
          { key: 'LandingPageEngagementID', value: { type: 'integer', value: 9_223_372_036_854_775_807n } },
          { key: 'BannerID', value: { type: 'integer', value: 42n } },
          { key: 'Amount', value: { type: 'decimal', value: '0.25' } },
          { key: 'URL', value: { type: 'text', value: 'https://example.com/?a=1' } },
        ],
      },
    );
    assert.deepEqual(activityItems([]), { ok: true, value: [] });
  });

  it('each problem in words for the 39 detail', () => {
    assert.deepEqual(activityItems([pair('BannerID', '2147483648')]), { ok: false, error: 'BannerID must be an Integer (given: 2147483648)' });
    assert.deepEqual(activityItems([pair('LandingPageEngagementID', '9223372036854775808')]), {
      ok: false,
      error: 'LandingPageEngagementID must be a Long (given: 9223372036854775808)',
    });
    assert.deepEqual(activityItems([pair('VisitDuration', '1.5')]), { ok: false, error: 'VisitDuration must be an Integer (given: 1.5)' });
    assert.deepEqual(activityItems([pair('Amount', '1e3')]), { ok: false, error: 'Amount must be a Decimal (given: 1e3)' });
    assert.deepEqual(activityItems([pair('Colour', 'red')]), { ok: false, error: 'Colour is not a data key' });
    assert.deepEqual(activityItems([pair('URL', 'a'), pair('Url', 'b')]), { ok: false, error: 'URL is given twice' });
    assert.deepEqual(activityItems([pair('x'.repeat(100), 'v')]), { ok: false, error: `${'x'.repeat(40)}… is not a data key` });
    assert.deepEqual(activityItems([pair('SubscriberID', 'a\u001bb')]), { ok: false, error: 'SubscriberID must be an Integer (given: a?b)' });
  });
});
