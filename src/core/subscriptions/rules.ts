import { assert } from '../../kernel/assert.js';
import type { SubscriptionState } from './types.js';

/** Every legal transition; anything else is a bug in the caller or a race it lost. */
const NEXT: { readonly [S in SubscriptionState]: readonly SubscriptionState[] } = {
  pending: ['active', 'cancelled'],
  trial: ['active', 'payment-pending', 'cancelled'],
  active: ['payment-pending', 'suspended', 'cancelled'],
  'payment-pending': ['active', 'cancelled'],
  suspended: ['active', 'cancelled'],
  cancelled: [],
};

export function canTransition(from: SubscriptionState, to: SubscriptionState): boolean {
  return NEXT[from].includes(to);
}

export function assertTransition(from: SubscriptionState, to: SubscriptionState): void {
  assert(canTransition(from, to), `subscription transition ${from} -> ${to} is not legal`);
}

/** Every state but cancelled holds the subscriber's one live subscription to a product. */
export function isLive(state: SubscriptionState): boolean {
  return state !== 'cancelled';
}

/** The states in which the subscriber has the service now (paid for, or in its free trial). */
export function isSubscribed(state: SubscriptionState): boolean {
  return state === 'trial' || state === 'active' || state === 'payment-pending';
}

/** The state a join starts in: the trial when the plan has one, else waiting for the first charge. */
export function initialState(trialDays: number): SubscriptionState {
  return trialDays > 0 ? 'trial' : 'pending';
}

const DAY_MS = 24 * 60 * 60_000;

/**
 * The end of a period that starts at `at`, in UTC: days and weeks are exact spans; a month
 * ends on the same day of the month, or the month's last day when it has none (31 Jan +
 * 1 month = 28/29 Feb), so a monthly subscription never skips a month.
 */
export function periodEnd(at: Date, period: { readonly unit: 'day' | 'week' | 'month'; readonly count: number }): Date {
  assert(Number.isSafeInteger(period.count) && period.count >= 1, 'a period count is positive');
  if (period.unit === 'day') return new Date(at.getTime() + period.count * DAY_MS);
  if (period.unit === 'week') return new Date(at.getTime() + period.count * 7 * DAY_MS);
  const end = new Date(at.getTime());
  const day = at.getUTCDate();
  end.setUTCDate(1);
  end.setUTCMonth(end.getUTCMonth() + period.count);
  const lastDay = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() + 1, 0)).getUTCDate();
  end.setUTCDate(Math.min(day, lastDay));
  return end;
}

export function trialEnd(at: Date, trialDays: number): Date {
  return new Date(at.getTime() + trialDays * DAY_MS);
}
