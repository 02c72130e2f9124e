import smpp, { type PDU, type Session } from 'smpp';
import { concatenate, encodeText } from '../../core/messaging/encoding.js';
import type { SmsConnector, SmsEvents, SmsSubmission, SubmitOutcome } from '../../core/messaging/ports.js';
import { assert } from '../../kernel/assert.js';
import type { Clock } from '../../kernel/clock.js';
import { parseMsisdn } from '../../kernel/msisdn.js';
import { isDeliveryReceipt, messageIdOf, parseReceipt, type ReceiptIdForm } from './receipts.js';
import { Pacer, Window } from './window.js';

export interface SmppSettings {
  readonly host: string;
  readonly port: number;
  readonly systemId: string;
  readonly password: string;
  readonly systemType: string;
  /** Sender of every message when set; otherwise each message's own sender. */
  readonly sourceAddr: string | undefined;
  /** submit_sm sent and not yet answered, at most. */
  readonly window: number;
  /** submit_sm a second, at most; 0: no limit of ours (the SMSC's throttling still applies). */
  readonly tps: number;
  /** Long messages as UDH-concatenated parts or as one submit_sm with message_payload. */
  readonly longMessages: 'udh' | 'payload';
  /** How the SMSC's receipts write the id its submit_sm_resp gave (default as-sent). */
  readonly receiptIds?: ReceiptIdForm;
  readonly enquireLinkMs?: number;
  readonly responseTimeoutMs?: number;
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  /** How long a submission waits for the link to be bound before it counts as a transient failure. */
  readonly bindWaitMs?: number;
}

/** What the connector reports, for metrics; cheap and synchronous. */
export interface SmppObserver {
  submitted(): void;
  throttled(): void;
  reconnected(): void;
  /** Seconds from an accepted submit_sm to its receipt (for the ones this process submitted). */
  receiptLatency(seconds: number): void;
}

const silent: SmppObserver = { submitted() {}, throttled() {}, reconnected() {}, receiptLatency() {} };

const DEFAULTS = { enquireLinkMs: 30_000, responseTimeoutMs: 30_000, reconnectMinMs: 250, reconnectMaxMs: 30_000, bindWaitMs: 10_000, receiptIds: 'as-sent' } as const;
/** A throttled submit_sm is sent again after this long, doubling, at most this often. */
const THROTTLE_RETRY_MS = 200;
const MAX_THROTTLE_RETRIES = 8;
/** A temporary application error: the SMSC sends the deliver_sm again later (SMPP 3.4 §5.1.3). */
const ESME_RX_T_APPDN = 0x64;
const REGISTERED_DELIVERY_FINAL = 0x01;
const ESM_UDHI = 0x40;
const DATA_CODING = { gsm7: 0x00, ucs2: 0x08 } as const;
/** Receipt latency is measured for at most this many submissions at once (oldest forgotten first). */
const MAX_TIMED_SUBMISSIONS = 200_000;

/** The link is down or not bound: the message stays queued and is submitted again later. */
export class SmppUnavailable extends Error {
  override readonly name = 'SmppUnavailable';
}

type LinkState = 'idle' | 'connecting' | 'bound' | 'stopped';

/**
 * An SMPP 3.4 ESME over one bind_transceiver session: bound at start (so receipts and MO
 * arrive without a send) and again after any loss, with backoff; submit_sm windowed and
 * paced; each receipt and MO stored before its deliver_sm_resp, so one lost in a crash is
 * sent again by the SMSC.
 */
export class SmppConnector implements SmsConnector {
  readonly name = 'smpp';
  readonly #settings: Required<SmppSettings>;
  readonly #window: Window;
  readonly #pacer: Pacer;
  #events: SmsEvents | undefined;
  #session: Session | undefined;
  #state: LinkState = 'idle';
  #reconnectMs: number;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #enquireTimer: NodeJS.Timeout | undefined;
  #boundWaiters: Array<() => void> = [];
  /** Requests sent on the current session and not yet answered: failed when the session ends. */
  readonly #pending = new Map<number, (error: Error) => void>();
  readonly #submittedAtMs = new Map<string, number>();

  constructor(
    settings: SmppSettings,
    private readonly clock: Clock,
    private readonly observer: SmppObserver = silent,
  ) {
    this.#settings = { ...DEFAULTS, ...settings } as Required<SmppSettings>;
    assert(settings.window >= 1 && settings.window <= 1_000, 'an SMPP window is 1-1000');
    this.#window = new Window(settings.window);
    this.#pacer = new Pacer(settings.tps);
    this.#reconnectMs = this.#settings.reconnectMinMs;
  }

  /**
   * Binds; answers once bound, once the first attempt failed, or after bindWaitMs (an
   * unreachable host may take minutes to refuse): it keeps trying in the background.
   */
  async start(events: SmsEvents): Promise<void> {
    this.#events = events;
    await new Promise<void>((resolve) => {
      setTimeout(resolve, this.#settings.bindWaitMs).unref();
      this.#connect(resolve);
    });
  }

  async stop(): Promise<void> {
    const session = this.#session;
    const wasBound = this.#state === 'bound';
    this.#state = 'stopped';
    clearTimeout(this.#reconnectTimer);
    clearInterval(this.#enquireTimer);
    for (const wake of this.#boundWaiters.splice(0)) wake();
    if (!session) return;
    if (wasBound) await this.#request(session, 'unbind', {}, 1_000).catch(() => undefined);
    // A socket already closed (a refused bind, a lost link) emits no second 'close'.
    if (!session.socket.destroyed) await new Promise<void>((resolve) => session.destroy(() => resolve()));
    this.#failPending(new SmppUnavailable('the connector stopped'));
  }

  async submit(message: SmsSubmission): Promise<SubmitOutcome> {
    const parts = this.#pdus(message);
    let connectorMessageId = '';
    for (const part of parts) {
      const answer = await this.#submitPart(part);
      if (answer.kind === 'rejected') return answer;
      connectorMessageId = answer.connectorMessageId;
    }
    this.#timeSubmission(connectorMessageId);
    return { kind: 'accepted', connectorMessageId };
  }

  /** One submit_sm, in the window and at the pace; a throttled one is sent again after a wait. */
  async #submitPart(fields: Record<string, unknown>): Promise<SubmitOutcome> {
    for (let attempt = 0; ; attempt += 1) {
      const session = await this.#boundSession();
      await this.#window.acquire();
      let response: PDU;
      try {
        await this.#pacer.wait();
        response = await this.#request(session, 'submit_sm', fields, this.#settings.responseTimeoutMs);
      } finally {
        this.#window.release();
      }
      const status = response.command_status;
      if (status === smpp.ESME_ROK) {
        this.observer.submitted();
        const id = response.message_id;
        assert(typeof id === 'string' && id.length > 0, 'a submit_sm_resp that accepts names the message');
        return { kind: 'accepted', connectorMessageId: messageIdOf(id, this.#settings.receiptIds, 'submit_sm_resp') };
      }
      if (status === smpp.ESME_RTHROTTLED || status === smpp.ESME_RMSGQFUL) {
        // Not accepted, so sending it again cannot duplicate it.
        this.observer.throttled();
        if (attempt >= MAX_THROTTLE_RETRIES) throw new SmppUnavailable('the SMSC kept throttling');
        await sleep(THROTTLE_RETRY_MS * 2 ** attempt);
        continue;
      }
      if (status === smpp.ESME_RSYSERR) throw new SmppUnavailable('the SMSC answered a system error');
      return { kind: 'rejected', reason: `smpp_status_0x${status.toString(16).padStart(4, '0')}` };
    }
  }

  #pdus(message: SmsSubmission): Record<string, unknown>[] {
    const source = this.#settings.sourceAddr ?? message.from;
    const alphanumeric = /[^0-9+]/.test(source);
    const common = {
      service_type: '',
      source_addr_ton: alphanumeric ? 5 : 0,
      source_addr_npi: alphanumeric ? 0 : 1,
      source_addr: source,
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      destination_addr: message.to.replace(/^\+/, ''),
      data_coding: DATA_CODING[message.encoding],
    };
    if (this.#settings.longMessages === 'payload') {
      const payload = encodeText(message.text, message.encoding);
      // Beyond one SMS (160 septets, 140 octets of UCS-2) the text travels in the TLV.
      if (payload.length > (message.encoding === 'ucs2' ? 140 : 160)) {
        return [{ ...common, registered_delivery: REGISTERED_DELIVERY_FINAL, message_payload: payload }];
      }
      return [{ ...common, registered_delivery: REGISTERED_DELIVERY_FINAL, short_message: payload }];
    }
    const parts = concatenate(message.text, message.messageId & 0xff);
    // Only the last part asks for a receipt: its id is the message's, and it arrives last.
    return parts.map((part, index) => ({
      ...common,
      esm_class: part.udh.length > 0 ? ESM_UDHI : 0,
      registered_delivery: index === parts.length - 1 ? REGISTERED_DELIVERY_FINAL : 0,
      short_message: Buffer.concat([part.udh, part.payload]),
    }));
  }

  #timeSubmission(connectorMessageId: string): void {
    if (this.#submittedAtMs.size >= MAX_TIMED_SUBMISSIONS) this.#submittedAtMs.delete(this.#submittedAtMs.keys().next().value as string);
    this.#submittedAtMs.set(connectorMessageId, performance.now());
  }

  /** Sends a request on the session and waits for its response, or fails when the session ends or the SMSC stays silent. */
  #request(session: Session, command: string, fields: Record<string, unknown>, timeoutMs: number): Promise<PDU> {
    return new Promise<PDU>((resolve, reject) => {
      const pdu = new smpp.PDU(command, fields);
      let timer: NodeJS.Timeout | undefined;
      const sent = session.send(pdu, (response: PDU) => {
        clearTimeout(timer);
        this.#pending.delete(pdu.sequence_number);
        resolve(response);
      });
      if (!sent) {
        reject(new SmppUnavailable('the SMPP link is down'));
        return;
      }
      this.#pending.set(pdu.sequence_number, reject);
      timer = setTimeout(() => {
        this.#pending.delete(pdu.sequence_number);
        reject(new SmppUnavailable(`no ${command}_resp within ${timeoutMs} ms`));
        // An SMSC that does not answer is not trusted with more: bind again.
        session.destroy();
      }, timeoutMs);
    });
  }

  #failPending(error: Error): void {
    for (const reject of this.#pending.values()) reject(error);
    this.#pending.clear();
  }

  async #boundSession(): Promise<Session> {
    if (this.#state === 'stopped') throw new SmppUnavailable('the connector stopped');
    if (this.#state !== 'bound') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#settings.bindWaitMs);
        this.#boundWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const session = this.#session;
    if (this.#state !== 'bound' || !session) throw new SmppUnavailable('the SMPP link is not bound');
    return session;
  }

  #connect(firstAttemptDone?: () => void): void {
    if (this.#state === 'stopped') return;
    this.#state = 'connecting';
    const session = smpp.connect({ host: this.#settings.host, port: this.#settings.port });
    this.#session = session;
    let settled = false;
    const done = () => {
      if (!settled) firstAttemptDone?.();
      settled = true;
    };
    session.on('connect', () => {
      // PDUs are small and answered one by one: Nagle's algorithm would hold each behind the
      // last one's ACK, which the SMSC's delayed ACK holds back in turn.
      session.socket.setNoDelay(true);
      this.#request(
        session,
        'bind_transceiver',
        { system_id: this.#settings.systemId, password: this.#settings.password, system_type: this.#settings.systemType, interface_version: 0x34 },
        this.#settings.responseTimeoutMs,
      ).then(
        (response) => {
          if (response.command_status !== smpp.ESME_ROK) {
            session.destroy();
            return;
          }
          if (this.#state === 'stopped') return;
          this.#state = 'bound';
          this.#reconnectMs = this.#settings.reconnectMinMs;
          this.#startEnquireLink(session);
          for (const wake of this.#boundWaiters.splice(0)) wake();
          done();
        },
        () => session.destroy(),
      );
    });
    session.on('deliver_sm', (pdu: PDU) => void this.#deliver(session, pdu));
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: PDU) => {
      session.send(pdu.response());
      session.close();
    });
    // Handled by 'close', which follows every error.
    session.on('error', () => undefined);
    session.on('close', () => {
      done();
      if (this.#session !== session) return;
      clearInterval(this.#enquireTimer);
      this.#failPending(new SmppUnavailable('the SMPP link was lost'));
      if (this.#state === 'stopped') return;
      this.#state = 'idle';
      this.#reconnectTimer = setTimeout(() => {
        this.observer.reconnected();
        this.#connect();
      }, this.#reconnectMs);
      this.#reconnectMs = Math.min(this.#settings.reconnectMaxMs, this.#reconnectMs * 2);
    });
  }

  #startEnquireLink(session: Session): void {
    clearInterval(this.#enquireTimer);
    this.#enquireTimer = setInterval(() => {
      // A silent SMSC ends in #request's timeout, which drops the session.
      this.#request(session, 'enquire_link', {}, this.#settings.responseTimeoutMs).catch(() => undefined);
    }, this.#settings.enquireLinkMs);
  }

  /** Every deliver_sm is answered: ROK once stored, a temporary error (sent again later) when storing failed. */
  async #deliver(session: Session, pdu: PDU): Promise<void> {
    let status = smpp.ESME_ROK;
    try {
      await this.#handleDeliver(pdu);
    } catch {
      status = ESME_RX_T_APPDN;
    }
    session.send(pdu.response({ command_status: status }));
  }

  async #handleDeliver(pdu: PDU): Promise<void> {
    const events = this.#events;
    if (!events) throw new SmppUnavailable('not started');
    const text = messageText(pdu);
    const esmClass = typeof pdu.esm_class === 'number' ? pdu.esm_class : 0;
    if (isDeliveryReceipt(esmClass)) {
      const receipt = parseReceipt({ receiptedMessageId: pdu.receipted_message_id, messageState: pdu.message_state, text });
      if (receipt.kind !== 'final') return;
      const connectorMessageId = messageIdOf(receipt.connectorMessageId, this.#settings.receiptIds, 'receipt');
      const submittedAtMs = this.#submittedAtMs.get(connectorMessageId);
      await events.receipt({ connectorMessageId, status: receipt.status, reason: receipt.reason, receivedAt: this.clock.now() });
      if (submittedAtMs !== undefined) {
        this.#submittedAtMs.delete(connectorMessageId);
        this.observer.receiptLatency((performance.now() - submittedAtMs) / 1000);
      }
      return;
    }
    const from = parseMsisdn(`+${String(pdu.source_addr ?? '').replace(/^\+/, '')}`);
    // A sender that is no MSISDN cannot be answered or routed: acknowledged and dropped.
    if (!from) return;
    await events.mobileOriginated({ from, to: String(pdu.destination_addr ?? ''), text, receivedAt: this.clock.now() });
  }
}

/** The text of a deliver_sm, from short_message or message_payload, as the smpp package decoded it. */
function messageText(pdu: PDU): string {
  for (const field of [pdu.message_payload, pdu.short_message]) {
    const message = (field as { message?: unknown } | undefined)?.message;
    if (typeof message === 'string' && message.length > 0) return message;
    if (Buffer.isBuffer(message) && message.length > 0) return message.toString('latin1');
  }
  return '';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
