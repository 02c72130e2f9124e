import type { Currency } from '../../kernel/money.js';

export type Platform = 'directpay' | 'sms';

/** An authenticated service: every merchant-data query is scoped by it. */
export interface ServiceContext {
  readonly serviceId: number;
  readonly merchantId: number;
  readonly platform: Platform;
  readonly currency: Currency;
  readonly requiresVerifiedMsisdn: boolean;
}

export interface NewService {
  serviceId: number;
  merchantId: number;
  platform: Platform;
  name: string;
  currency: Currency;
  /** Pay refuses MSISDNs the service has not verified with a code (code 6). */
  requiresVerifiedMsisdn?: boolean;
}
