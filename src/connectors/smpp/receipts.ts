import type { ReceiptStatus } from '../../core/messaging/ports.js';

/** esm_class bits 2-5: the message type of a deliver_sm (SMPP 3.4 §5.2.12). */
const ESM_TYPE_MASK = 0x3c;
const ESM_DELIVERY_RECEIPT = 0x04;
const ESM_INTERMEDIATE_NOTIFICATION = 0x20;

/** message_state TLV values (SMPP 3.4 §5.3.2.35) that end a message, and what they mean here. */
const FINAL_STATES: ReadonlyMap<number, { status: ReceiptStatus; word: string }> = new Map([
  [2, { status: 'delivered', word: 'DELIVRD' }],
  [3, { status: 'expired', word: 'EXPIRED' }],
  [4, { status: 'failed', word: 'DELETED' }],
  [5, { status: 'failed', word: 'UNDELIV' }],
  [7, { status: 'failed', word: 'UNKNOWN' }],
  [8, { status: 'failed', word: 'REJECTD' }],
]);
/** The stat: words of the receipt text (SMPP 3.4 Appendix B). */
const FINAL_WORDS: ReadonlyMap<string, ReceiptStatus> = new Map([
  ['DELIVRD', 'delivered'],
  ['EXPIRED', 'expired'],
  ['DELETED', 'failed'],
  ['UNDELIV', 'failed'],
  ['UNKNOWN', 'failed'],
  ['REJECTD', 'failed'],
]);
const MAX_ID_CHARS = 65;

export function isDeliveryReceipt(esmClass: number): boolean {
  const type = esmClass & ESM_TYPE_MASK;
  return type === ESM_DELIVERY_RECEIPT || type === ESM_INTERMEDIATE_NOTIFICATION;
}

export type ParsedReceipt =
  | { readonly kind: 'final'; readonly connectorMessageId: string; readonly status: ReceiptStatus; readonly reason: string | undefined }
  /** ENROUTE, ACCEPTED, an intermediate notification: answered, nothing changes. */
  | { readonly kind: 'interim' }
  | { readonly kind: 'unreadable' };

/**
 * Reads a delivery receipt: the receipted_message_id and message_state TLVs when the SMSC
 * sends them, the `id:… stat:… err:…` text otherwise. A failure's reason is its stat word
 * and error code (`UNDELIV/err:001`), so failures can be counted by reason.
 */
export function parseReceipt(fields: { receiptedMessageId?: unknown; messageState?: unknown; text: string }): ParsedReceipt {
  const idFromText = /(?:^|\s)id:(\S{1,65})/i.exec(fields.text)?.[1];
  const id = typeof fields.receiptedMessageId === 'string' && fields.receiptedMessageId.length > 0 ? fields.receiptedMessageId : idFromText;
  if (id === undefined || id.length > MAX_ID_CHARS) return { kind: 'unreadable' };
  const err = /(?:^|\s)err:(\w{1,10})/i.exec(fields.text)?.[1];
  let status: ReceiptStatus | undefined;
  let word: string | undefined;
  if (typeof fields.messageState === 'number') {
    const final = FINAL_STATES.get(fields.messageState);
    status = final?.status;
    word = final?.word;
  } else {
    word = /(?:^|\s)stat:(\w{1,10})/i.exec(fields.text)?.[1]?.toUpperCase();
    status = word === undefined ? undefined : FINAL_WORDS.get(word);
  }
  if (status === undefined) return { kind: 'interim' };
  const reason = status === 'delivered' ? undefined : err === undefined ? word : `${word}/err:${err}`;
  return { kind: 'final', connectorMessageId: id, status, reason };
}

/**
 * How an SMSC's receipts name a message (Kannel's msg-id-type): as its submit_sm_resp did
 * (`as-sent`, the SMPP 3.4 rule), or the same number written in decimal where the answer
 * gave hex (`decimal`), or in hex where it gave decimal (`hex`). Some SMSCs do either.
 */
export type ReceiptIdForm = 'as-sent' | 'decimal' | 'hex';

const HEX_ID = /^[0-9a-f]{1,16}$/i;
const DECIMAL_ID = /^[0-9]{1,20}$/;

/**
 * The id a message is known by: in the two translating forms both sides are read as the
 * number they write and kept in decimal (leading zeros and the hex digits' case dropped),
 * so an answer's and a receipt's id meet. An id that is not such a number stays as it is.
 */
export function messageIdOf(id: string, form: ReceiptIdForm, from: 'submit_sm_resp' | 'receipt'): string {
  if (form === 'as-sent') return id;
  const hex = (form === 'decimal') === (from === 'submit_sm_resp');
  if (hex) return HEX_ID.test(id) ? BigInt(`0x${id}`).toString(10) : id;
  return DECIMAL_ID.test(id) ? BigInt(id).toString(10) : id;
}
