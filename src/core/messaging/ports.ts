import type { Msisdn } from '../../kernel/msisdn.js';

export interface SmsMessage {
  readonly to: Msisdn;
  readonly from: string;
  readonly text: string;
  /** Delivery is at least once: the gateway sends one message per key. */
  readonly deliveryKey: string;
}

/** Sends SMS to subscribers (the sandbox inbox, an SMPP connector, …). */
export interface SmsGateway {
  send(message: SmsMessage): Promise<void>;
}
