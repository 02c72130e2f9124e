import type { ActivityItem, ActivityValue } from '../../../core/activity/types.js';
import { err, ok, type Result } from '../../../kernel/result.js';

/**
 * Infomedia's LogActivity catalogues (infomedia-reference.md §6): the EngagementTypeIDs,
 * each mapped onto the neutral engagement name core keeps, and the data keys with the
 * type each must read as. What is wrong is said in words that are appended to
 * `39 - Invalid Engagement Data Parameters Supplied`.
 */
export const ENGAGEMENT_TYPES: ReadonlyMap<number, string> = new Map([
  [1, 'subscribe'],
  [2, 'unsubscribe'],
  [6, 'banner-clicked'],
  [7, 'landing-page-screen-capture'],
  [8, 'service-accessed'],
  [9, 'welcome-sms-sent'],
  [10, 'reminder-sms-sent'],
  [11, 'exit-sms-sent'],
  [12, 'welcome-sms-receipted'],
  [13, 'reminder-sms-receipted'],
  [14, 'exit-sms-receipted'],
  [15, 'click-to-action-screen-capture'],
  [18, 'customer-service-query'],
  [22, 'mo-received'],
]);

/** The document's data types: Long is .NET's Int64, Integer its Int32. */
type KeyType = 'Long' | 'Integer' | 'Decimal' | 'String';

const DATA_KEYS: ReadonlyMap<string, { readonly key: string; readonly type: KeyType }> = new Map(
  (
    [
      ['LandingPageEngagementID', 'Long'],
      ['SubscriptionMethod', 'String'],
      ['SubscriberID', 'Integer'],
      ['BannerEngagementID', 'Integer'],
      ['UserAgent', 'String'],
      ['ApplicationOrURL', 'String'],
      ['BannerID', 'Integer'],
      ['AdNetworkName', 'String'],
      ['CampaignDescription', 'String'],
      ['IPAddress', 'String'],
      ['ProductAccessed', 'Integer'],
      ['VisitDuration', 'Integer'],
      ['UserName', 'String'],
      ['AgentName', 'String'],
      ['CallReason', 'String'],
      ['CallDuration', 'Integer'],
      ['CallOutcome', 'String'],
      ['Amount', 'Decimal'],
      ['TransactionID', 'String'],
      ['RefundChannel', 'String'],
      ['UnsubscriptionMethod', 'String'],
      ['LandingPageRef', 'Integer'],
      ['URL', 'String'],
      ['ReferralUrl', 'String'],
    ] as const
  ).map(([key, type]) => [key.toLowerCase(), { key, type }]),
);

const RANGE: Readonly<Record<'Long' | 'Integer', readonly [bigint, bigint]>> = {
  Long: [-(2n ** 63n), 2n ** 63n - 1n],
  Integer: [-(2n ** 31n), 2n ** 31n - 1n],
};
const WHOLE = /^[+-]?[0-9]{1,19}$/;
const DECIMAL = /^[+-]?[0-9]{1,18}(\.[0-9]{1,8})?$/;
/** Longest key or value echoed in a detail, so a detail stays short whatever was sent. */
const MAX_ECHO_CHARS = 40;

/** The engagement an EngagementTypeID (as the wire gives it, text) names. */
export function engagementOf(engagementTypeId: string | undefined): Result<string, string> {
  const text = (engagementTypeId ?? '').trim();
  if (text === '') return err('EngagementTypeID is required');
  const name = /^[0-9]{1,4}$/.test(text) ? ENGAGEMENT_TYPES.get(Number(text)) : undefined;
  return name === undefined ? err(`EngagementTypeID ${echo(text)} is not an engagement type`) : ok(name);
}

/**
 * The Data pairs as typed items under the document's spelling of each key (keys match
 * case-insensitively, as ASP.NET matches names), or the first problem in words.
 */
export function activityItems(pairs: readonly { readonly Key: string; readonly Value: string }[]): Result<ActivityItem[], string> {
  const items: ActivityItem[] = [];
  const seen = new Set<string>();
  for (const pair of pairs) {
    const declared = DATA_KEYS.get(pair.Key.trim().toLowerCase());
    if (!declared) return err(`${echo(pair.Key)} is not a data key`);
    if (seen.has(declared.key)) return err(`${declared.key} is given twice`);
    seen.add(declared.key);
    const value = valueOf(declared.type, pair.Value.trim());
    if (!value) return err(`${declared.key} must be ${article(declared.type)} ${declared.type} (given: ${echo(pair.Value)})`);
    items.push({ key: declared.key, value });
  }
  return ok(items);
}

function valueOf(type: KeyType, text: string): ActivityValue | null {
  if (type === 'String') return { type: 'text', value: text };
  if (type === 'Decimal') return DECIMAL.test(text) ? { type: 'decimal', value: text.replace(/^\+/, '') } : null;
  if (!WHOLE.test(text)) return null;
  const value = BigInt(text);
  const [min, max] = RANGE[type];
  return value >= min && value <= max ? { type: 'integer', value } : null;
}

function article(type: KeyType): string {
  return type === 'Integer' ? 'an' : 'a';
}

function echo(text: string): string {
  const shown = text.length > MAX_ECHO_CHARS ? `${text.slice(0, MAX_ECHO_CHARS)}…` : text;
  // No quotes: an XML answer would write them as entities, which ASP.NET does not.
  return shown.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
