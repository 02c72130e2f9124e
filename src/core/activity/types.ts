import type { Msisdn } from '../../kernel/msisdn.js';

/** Bounds on one entry, so that a log a merchant writes to cannot grow without limit per call. */
export const MAX_DATA_ITEMS = 32;
export const MAX_KEY_CHARS = 64;
export const MAX_TEXT_VALUE_CHARS = 1_000;
export const MAX_LIST_ENTRIES = 500;
/** An engagement names what happened ('subscribe', 'banner-clicked'); the facade maps its vendor's ids onto it. */
export const ENGAGEMENT = /^[a-z][a-z0-9-]{0,39}$/;
export const DATA_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
/** A decimal as the merchant wrote it, at most 18 digits before the point and 8 after. */
export const DECIMAL = /^-?[0-9]{1,18}(\.[0-9]{1,8})?$/;

/** A value of a known type: the facade's catalogue decided which, core keeps it typed. */
export type ActivityValue =
  | { readonly type: 'integer'; readonly value: bigint }
  | { readonly type: 'decimal'; readonly value: string }
  | { readonly type: 'text'; readonly value: string };

export interface ActivityItem {
  readonly key: string;
  readonly value: ActivityValue;
}

/** Something a subscriber did around a merchant's product, as the merchant reports it. */
export interface NewActivity {
  readonly merchantId: number;
  readonly endpointId: number;
  readonly productId: number;
  readonly msisdn: Msisdn;
  /** MCC-MNC, when reported. */
  readonly operator: string | null;
  readonly engagement: string;
  readonly data: readonly ActivityItem[];
}

export interface ActivityEntry extends NewActivity {
  readonly entryId: number;
  readonly occurredAt: Date;
}

export interface ActivityQuery {
  readonly merchantId: number;
  /** Entries logged at or after `from` and before `until`. */
  readonly from: Date;
  readonly until: Date;
  /** For the next page: entries after this one in (time, id) order. */
  readonly after?: { readonly occurredAt: Date; readonly entryId: number } | undefined;
  readonly limit: number;
}

export type ActivityError = { readonly kind: 'invalid-field'; readonly field: string; readonly reason: string };
