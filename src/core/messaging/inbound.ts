import type { Clock } from '../../kernel/clock.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import { err, ok, type Result } from '../../kernel/result.js';
import type { MessageReceivedPayload } from '../outbox/catalogue.js';
import type { MobileOriginated } from './ports.js';

/** Bounds on what is kept of a message from a subscriber, and on routes. */
export const INBOUND_LIMITS = {
  /** Longer (a reassembled concatenation) is cut here: a partner gets the first 1,600 characters. */
  maxTextChars: 1_600,
  maxKeywordChars: 20,
  shortCode: /^[0-9]{3,16}$/,
  keyword: /^[A-Z0-9]{0,20}$/,
} as const;

/** Which endpoint owns a short code, for one keyword ('' : every other word). */
export interface InboundRoute {
  readonly routeId: number;
  readonly shortCode: string;
  readonly keyword: string;
  readonly endpointId: number;
  readonly merchantId: number;
}

export interface ReceivedMessage {
  readonly from: Msisdn;
  readonly shortCode: string;
  readonly text: string;
  readonly keyword: string;
  readonly route: InboundRoute | null;
  readonly receivedAt: Date;
}

export interface InboundStore {
  /** The route of the keyword on the short code, else the short code's default (''), else null. */
  route(shortCode: string, keyword: string): Promise<InboundRoute | null>;
  /** Keeps the message and queues its message.received event, in one statement; answers its id. */
  receive(message: ReceivedMessage): Promise<number>;
  /** A new route; 'taken' when the short code and keyword are routed already. */
  addRoute(route: { shortCode: string; keyword: string; endpointId: number }, at: Date): Promise<InboundRoute | 'taken' | 'no_endpoint'>;
  routes(): Promise<InboundRoute[]>;
}

export type RouteError =
  | { readonly kind: 'short_code_invalid' }
  | { readonly kind: 'keyword_invalid'; readonly maxChars: number }
  | { readonly kind: 'route_taken'; readonly shortCode: string; readonly keyword: string }
  | { readonly kind: 'unknown_endpoint'; readonly endpointId: number };

/**
 * A hook run for every message whose keyword it names, from the outbox (at least once, so it
 * must be idempotent): where the subscriptions' STOP handling plugs in.
 */
export type KeywordHook = (message: MessageReceivedPayload) => Promise<void>;

/**
 * Messages from subscribers to the platform's short codes: kept (each with its
 * message.received event, so forwarding and hooks survive a crash), routed by short code and
 * keyword to the endpoint that owns them. The keyword is the first word, upper case, as
 * subscribers type "stop", "Stop " or "STOP".
 */
export class InboundMessages {
  readonly #hooks = new Map<string, KeywordHook[]>();

  constructor(private readonly deps: { store: InboundStore; clock: Clock }) {}

  /** The connector's MO, stored before the SMSC is answered (a crash before then: the SMSC sends it again). */
  async receive(message: MobileOriginated): Promise<number> {
    const shortCode = message.to.replace(/^\+/, '');
    const text = normalise(message.text).slice(0, INBOUND_LIMITS.maxTextChars);
    const keyword = keywordOf(text);
    const route = INBOUND_LIMITS.shortCode.test(shortCode) ? await this.deps.store.route(shortCode, keyword) : null;
    return this.deps.store.receive({ from: message.from, shortCode: shortCode.slice(0, 32), text, keyword, route, receivedAt: message.receivedAt });
  }

  /** Runs hook for every received message whose keyword is keyword (upper case). */
  onKeyword(keyword: string, hook: KeywordHook): void {
    const key = keyword.toUpperCase();
    this.#hooks.set(key, [...(this.#hooks.get(key) ?? []), hook]);
  }

  /** The hooks of a received message's keyword, in the order they were registered. */
  async runHooks(message: MessageReceivedPayload): Promise<void> {
    for (const hook of this.#hooks.get(message.keyword) ?? []) await hook(message);
  }

  async addRoute(route: { shortCode: string; keyword: string; endpointId: number }): Promise<Result<InboundRoute, RouteError>> {
    const keyword = route.keyword.toUpperCase();
    if (!INBOUND_LIMITS.shortCode.test(route.shortCode)) return err({ kind: 'short_code_invalid' });
    if (!INBOUND_LIMITS.keyword.test(keyword)) return err({ kind: 'keyword_invalid', maxChars: INBOUND_LIMITS.maxKeywordChars });
    const added = await this.deps.store.addRoute({ shortCode: route.shortCode, keyword, endpointId: route.endpointId }, this.deps.clock.now());
    if (added === 'taken') return err({ kind: 'route_taken', shortCode: route.shortCode, keyword });
    if (added === 'no_endpoint') return err({ kind: 'unknown_endpoint', endpointId: route.endpointId });
    return ok(added);
  }

  routes(): Promise<InboundRoute[]> {
    return this.deps.store.routes();
  }
}

/** Trimmed, runs of white space one space, control characters dropped. */
export function normalise(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '').replace(/\s+/g, ' ').trim();
}

/** The first word, upper case, when it is letters and digits of a keyword's length; else ''. */
export function keywordOf(text: string): string {
  const first = (text.split(' ', 1)[0] ?? '').toUpperCase();
  return INBOUND_LIMITS.keyword.test(first) ? first : '';
}
