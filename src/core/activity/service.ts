import type { Clock } from '../../kernel/clock.js';
import { err, ok, type Result } from '../../kernel/result.js';
import type { ActivityRepository } from './ports.js';
import {
  type ActivityEntry,
  type ActivityError,
  type ActivityItem,
  type ActivityQuery,
  DATA_KEY,
  DECIMAL,
  ENGAGEMENT,
  MAX_DATA_ITEMS,
  MAX_LIST_ENTRIES,
  MAX_TEXT_VALUE_CHARS,
  type NewActivity,
} from './types.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const OPERATOR = /^[0-9]{3}-[0-9]{2,3}$/;

/** The activity log: what subscribers did, as merchants report it, for the operator console to read. */
export class ActivityService {
  constructor(
    private readonly repository: ActivityRepository,
    private readonly clock: Clock,
  ) {}

  async log(entry: NewActivity): Promise<Result<{ entryId: number; occurredAt: Date }, ActivityError>> {
    const invalid = entryProblem(entry);
    if (invalid) return err(invalid);
    const occurredAt = this.clock.now();
    return ok({ entryId: await this.repository.append(entry, occurredAt), occurredAt });
  }

  async list(query: ActivityQuery): Promise<Result<ActivityEntry[], ActivityError>> {
    if (!Number.isSafeInteger(query.limit) || query.limit < 1 || query.limit > MAX_LIST_ENTRIES) {
      return err({ kind: 'invalid-field', field: 'limit', reason: `must be 1-${MAX_LIST_ENTRIES}` });
    }
    if (!(query.from.getTime() < query.until.getTime())) return err({ kind: 'invalid-field', field: 'window', reason: 'must end after it starts' });
    return ok(await this.repository.list(query));
  }
}

function entryProblem(entry: NewActivity): ActivityError | null {
  const invalid = (field: string, reason: string): ActivityError => ({ kind: 'invalid-field', field, reason });
  if (!ENGAGEMENT.test(entry.engagement)) return invalid('engagement', 'must be a lower-case name of 1-40 characters');
  if (!Number.isSafeInteger(entry.productId) || entry.productId < 1) return invalid('product id', 'must be a positive integer');
  if (entry.operator !== null && !OPERATOR.test(entry.operator)) return invalid('operator', 'must be MCC-MNC');
  if (entry.data.length > MAX_DATA_ITEMS) return invalid('data', `at most ${MAX_DATA_ITEMS} items`);
  const keys = new Set<string>();
  for (const item of entry.data) {
    const problem = itemProblem(item);
    if (problem) return invalid(`data ${item.key.slice(0, 64)}`, problem);
    if (keys.has(item.key.toLowerCase())) return invalid(`data ${item.key}`, 'is given twice');
    keys.add(item.key.toLowerCase());
  }
  return null;
}

function itemProblem(item: ActivityItem): string | null {
  if (!DATA_KEY.test(item.key)) return 'is not a key of 1-64 letters, digits, _ . -';
  const { value } = item;
  if (value.type === 'integer') return value.value >= INT64_MIN && value.value <= INT64_MAX ? null : 'is out of range for a 64-bit integer';
  if (value.type === 'decimal') return DECIMAL.test(value.value) ? null : 'is not a decimal of at most 18.8 digits';
  if (value.value.length > MAX_TEXT_VALUE_CHARS) return `must be at most ${MAX_TEXT_VALUE_CHARS} characters`;
  // NUL cannot be stored in PostgreSQL text; other controls are kept as the merchant sent them.
  return value.value.includes('\u0000') ? 'must not contain NUL' : null;
}
