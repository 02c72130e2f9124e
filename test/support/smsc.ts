import type { AddressInfo } from 'node:net';
import smpp, { type PDU, type Session } from 'smpp';

/** What the test SMSC does, by the number of the submit_sm it receives (1-based, over all sessions). */
export interface SmscBehaviour {
  systemId?: string;
  password?: string;
  /** Answer ESME_RTHROTTLED to these submit_sm (each once; the client sends them again). */
  throttle?: readonly number[];
  /** After acknowledging this submit_sm, close the connection without an unbind (nothing more is handled on that session). */
  dropAfter?: readonly number[];
  /** Send a delivery receipt for each accepted submit_sm that asked for one. */
  receipts?: boolean;
  /** Receipts name the message in the receipted_message_id and message_state TLVs too. */
  receiptTlvs?: boolean;
  /**
   * Numeric ids, as many SMSCs give: `hex-answers` answers submit_sm with a hex id (upper
   * case) and writes it in decimal in the receipt; `decimal-answers` the other way round
   * (lower-case hex, zero-padded to 10 digits). Without it: smsc-1, smsc-2, … on both.
   */
  numericIds?: 'hex-answers' | 'decimal-answers';
}

/** The n-th accepted message's number under numericIds: large, as an SMSC's are. */
const NUMERIC_ID_BASE = 0x7f00_0000;

export interface AcceptedSubmission {
  readonly messageId: string;
  readonly destination: string;
  readonly source: string;
  readonly dataCoding: number;
  readonly esmClass: number;
  readonly registeredDelivery: number;
  /** The text as the smpp package decodes it by data_coding (so GSM-7 septets are read by another coder than ours). */
  readonly text: string;
  /** The UDH information elements, e.g. 00 03 ref total seq for a concatenated part; none: empty. */
  readonly udh: Buffer;
  /** Sent as message_payload rather than short_message. */
  readonly payload: boolean;
}

/**
 * An SMSC for tests and the benchmark (the smpp package's server): binds with one
 * system id and password, acknowledges submit_sm with ids smsc-1, smsc-2, …, throttles and
 * drops the link when told, sends receipts and MO, and resends every deliver_sm that was not
 * answered when its session ended — as a real SMSC does.
 */
export class TestSmsc {
  readonly accepted: AcceptedSubmission[] = [];
  readonly deliverResponses: number[] = [];
  binds = 0;
  enquireLinks = 0;
  #received = 0;
  #server: ReturnType<typeof smpp.createServer> | undefined;
  #bound: Session | undefined;
  readonly #outbox: Record<string, unknown>[] = [];
  readonly #throttled = new Set<number>();
  readonly #refused: Record<string, unknown>[] = [];

  constructor(private readonly behaviour: SmscBehaviour = {}) {}

  async listen(): Promise<number> {
    const server = smpp.createServer((session) => this.#session(session));
    this.#server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const session of this.#server?.sessions ?? []) session.destroy();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }

  /** A subscriber's MO message, sent on the bound session (or once one is bound). */
  sendMo(from: string, to: string, text: string): void {
    this.#queue({ source_addr: from, source_addr_ton: 1, destination_addr: to, esm_class: 0, short_message: text });
  }

  /** Sends again the deliver_sm the ESME answered with an error. */
  resendUnanswered(): void {
    for (const fields of this.#refused.splice(0)) this.#queue(fields);
  }

  #session(session: Session): void {
    let dropped = false;
    const inFlight = new Map<number, Record<string, unknown>>();
    session.on('bind_transceiver', (pdu: PDU) => {
      const ok = pdu.system_id === (this.behaviour.systemId ?? 'test') && pdu.password === (this.behaviour.password ?? 'secret');
      session.send(pdu.response({ command_status: ok ? smpp.ESME_ROK : smpp.ESME_RBINDFAIL, system_id: 'TestSmsc' }));
      if (!ok) return;
      this.binds += 1;
      this.#bound = session;
      this.#flush(session, inFlight);
    });
    session.on('submit_sm', (pdu: PDU) => {
      if (dropped) return;
      this.#received += 1;
      const n = this.#received;
      if (this.behaviour.throttle?.includes(n) && !this.#throttled.has(n)) {
        this.#throttled.add(n);
        session.send(pdu.response({ command_status: smpp.ESME_RTHROTTLED }));
        return;
      }
      const [messageId, receiptId] = this.#ids(this.accepted.length + 1);
      this.accepted.push(submission(messageId, pdu));
      const drop = this.behaviour.dropAfter?.includes(n) ?? false;
      session.send(pdu.response({ message_id: messageId }));
      if (drop) {
        // Closed without an unbind, after the answers sent so far (a FIN behind them: a reset
        // would let the ESME's kernel discard answers it had not read, and then it cannot know).
        dropped = true;
        session.close();
      }
      if (this.behaviour.receipts && (Number(pdu.registered_delivery) & 0x03) !== 0) this.#queue(this.#receipt(receiptId));
    });
    session.on('deliver_sm_resp', (pdu: PDU) => {
      this.deliverResponses.push(pdu.command_status);
      const fields = inFlight.get(pdu.sequence_number);
      inFlight.delete(pdu.sequence_number);
      // Refused for now: kept, and sent again when resendUnanswered() says (an SMSC's retry timer).
      if (fields && pdu.command_status !== smpp.ESME_ROK) this.#refused.push(fields);
    });
    session.on('enquire_link', (pdu: PDU) => {
      this.enquireLinks += 1;
      session.send(pdu.response());
    });
    session.on('unbind', (pdu: PDU) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('error', () => undefined);
    session.on('close', () => {
      if (this.#bound === session) this.#bound = undefined;
      // What the ESME never answered is sent again on its next session.
      this.#outbox.unshift(...inFlight.values());
      inFlight.clear();
    });
    (session as unknown as { inFlight: typeof inFlight }).inFlight = inFlight;
  }

  /** The id submit_sm_resp gives the n-th accepted message, and the id its receipt names it by. */
  #ids(n: number): [answer: string, receipt: string] {
    const value = NUMERIC_ID_BASE + n;
    if (this.behaviour.numericIds === 'hex-answers') return [value.toString(16).toUpperCase(), String(value)];
    if (this.behaviour.numericIds === 'decimal-answers') return [String(value), value.toString(16).padStart(10, '0')];
    return [`smsc-${n}`, `smsc-${n}`];
  }

  #receipt(messageId: string): Record<string, unknown> {
    const text = `id:${messageId} sub:001 dlvrd:001 submit date:2612041200 done date:2612041200 stat:DELIVRD err:000 text:`;
    const tlvs = this.behaviour.receiptTlvs ? { receipted_message_id: messageId, message_state: 2 } : {};
    return { source_addr: '4790000100', destination_addr: '31000', esm_class: 0x04, short_message: text, ...tlvs };
  }

  #queue(fields: Record<string, unknown>): void {
    this.#outbox.push(fields);
    const session = this.#bound;
    if (session) this.#flush(session, (session as unknown as { inFlight: Map<number, Record<string, unknown>> }).inFlight);
  }

  #flush(session: Session, inFlight: Map<number, Record<string, unknown>>): void {
    while (this.#outbox.length > 0) {
      const fields = this.#outbox.shift() as Record<string, unknown>;
      const pdu = new smpp.PDU('deliver_sm', fields);
      if (!session.send(pdu)) {
        this.#outbox.unshift(fields);
        return;
      }
      inFlight.set(pdu.sequence_number, fields);
    }
  }
}

function submission(messageId: string, pdu: PDU): AcceptedSubmission {
  const payload = pdu.message_payload !== undefined;
  const field = (payload ? pdu.message_payload : pdu.short_message) as { message: string | Buffer; udh?: Buffer[] };
  return {
    messageId,
    destination: String(pdu.destination_addr),
    source: String(pdu.source_addr),
    dataCoding: Number(pdu.data_coding),
    esmClass: Number(pdu.esm_class),
    registeredDelivery: Number(pdu.registered_delivery),
    text: typeof field.message === 'string' ? field.message : field.message.toString('hex'),
    udh: Buffer.concat(field.udh ?? []),
    payload,
  };
}

/** SMS_CONNECTOR=smpp settings for a composed app bound to a test SMSC on this port (window 10, no pacing, UDH parts). */
export function smppSettings(port: number) {
  return { host: '127.0.0.1', port, systemId: 'test', password: 'secret', systemType: '', sourceAddr: undefined, window: 10, tps: 0, longMessages: 'udh' as const, receiptIds: 'as-sent' as const };
}
