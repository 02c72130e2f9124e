import type {
  ClaimedMessage,
  DeliveryReceipt,
  MessageStore,
  NewMessage,
  ReceiptOutcome,
  SmsConnector,
  SmsEvents,
  SmsSubmission,
  StoredMessage,
  SubmitOutcome,
  SubmittedMessage,
} from '../../../src/core/messaging/ports.js';
import { assertTransition, type MessageState } from '../../../src/core/messaging/states.js';

type Row = { -readonly [K in keyof StoredMessage]: StoredMessage[K] } & { secret: boolean; leasedUntil: Date | null };

/** The message store in memory, with the SQL store's rules (every transition checked). */
export class FakeMessageStore implements MessageStore {
  readonly rows: Row[] = [];
  readonly receipts = new Map<string, DeliveryReceipt & { connector: string; applied: boolean }>();
  readonly campaigns = new Map<string, number>();
  /** Set to make the next markSubmitted calls throw (a store that is down). */
  failMarkSubmitted = 0;
  /** Set to make the next recordReceipts calls throw. */
  failRecordReceipts = 0;

  async enqueue(messages: readonly NewMessage[]): Promise<{ ids: number[] } | 'duplicate'> {
    const taken = (m: NewMessage) =>
      this.rows.some((r) => r.merchantId === m.merchantId && r.submissionKey === m.submissionKey && r.recipientIndex === m.recipientIndex);
    if (messages.some(taken)) return 'duplicate';
    const ids = messages.map((m) => {
      const id = this.rows.length + 1;
      this.rows.push({
        id,
        merchantId: m.merchantId,
        endpointId: m.endpointId,
        campaignId: m.campaignId,
        submissionKey: m.submissionKey,
        recipientIndex: m.recipientIndex,
        to: m.to,
        from: m.from,
        text: m.text,
        secret: m.secret,
        encoding: m.encoding,
        segments: m.segments,
        state: 'queued',
        dueAt: m.dueAt,
        expiresAt: m.expiresAt,
        attempts: 0,
        connector: null,
        connectorMessageId: null,
        failureReason: null,
        submittedAt: null,
        finishedAt: null,
        leasedUntil: null,
      });
      return id;
    });
    return { ids };
  }

  #claimable(row: Row, at: Date): boolean {
    return row.state === 'queued' && row.dueAt <= at && (row.leasedUntil === null || row.leasedUntil <= at);
  }

  #lease(row: Row, leaseMs: number, at: Date): ClaimedMessage {
    row.leasedUntil = new Date(at.getTime() + leaseMs);
    row.attempts += 1;
    return { id: row.id, merchantId: row.merchantId, to: row.to, from: row.from, text: row.text ?? '', encoding: row.encoding, attempts: row.attempts };
  }

  async claimDue(limit: number, leaseMs: number, at: Date): Promise<ClaimedMessage[]> {
    return this.rows.filter((r) => this.#claimable(r, at)).slice(0, limit).map((r) => this.#lease(r, leaseMs, at));
  }

  async claim(id: number, leaseMs: number, at: Date): Promise<ClaimedMessage | null> {
    const row = this.rows[id - 1];
    return row && this.#claimable(row, at) ? this.#lease(row, leaseMs, at) : null;
  }

  #move(row: Row, to: MessageState): void {
    assertTransition(row.state, to);
    row.state = to;
    row.leasedUntil = null;
    if (row.secret) row.text = null;
  }

  async markSubmitted(messages: readonly SubmittedMessage[], at: Date): Promise<number[]> {
    if (this.failMarkSubmitted > 0) {
      this.failMarkSubmitted -= 1;
      throw new Error('the store is down');
    }
    return messages.flatMap((m) => {
      const row = this.rows[m.id - 1];
      if (row?.state !== 'queued') return [];
      this.#move(row, 'submitted');
      Object.assign(row, { connector: m.connector, connectorMessageId: m.connectorMessageId, submittedAt: at });
      return [m.id];
    });
  }

  async markRejected(id: number, reason: string, at: Date): Promise<boolean> {
    const row = this.rows[id - 1];
    if (row?.state !== 'queued') return false;
    this.#move(row, 'failed');
    Object.assign(row, { failureReason: reason, finishedAt: at });
    return true;
  }

  async release(ids: readonly number[], retryAt: Date): Promise<void> {
    for (const id of ids) {
      const row = this.rows[id - 1];
      if (row?.state === 'queued') row.leasedUntil = retryAt;
    }
  }

  #byConnectorId(connector: string, id: string): Row | undefined {
    return this.rows.find((r) => r.connector === connector && r.connectorMessageId === id);
  }

  #apply(row: Row, receipt: DeliveryReceipt): void {
    if (row.state !== 'submitted') return;
    this.#move(row, receipt.status);
    Object.assign(row, { failureReason: receipt.reason ?? null, finishedAt: receipt.receivedAt });
  }

  async recordReceipts(connector: string, receipts: readonly DeliveryReceipt[]): Promise<ReceiptOutcome[]> {
    if (this.failRecordReceipts > 0) {
      this.failRecordReceipts -= 1;
      throw new Error('the store is down');
    }
    return receipts.map((receipt) => {
      const key = `${connector}/${receipt.connectorMessageId}`;
      if (this.receipts.has(key)) return 'duplicate';
      const row = this.#byConnectorId(connector, receipt.connectorMessageId);
      this.receipts.set(key, { ...receipt, connector, applied: row !== undefined });
      if (!row) return 'unmatched';
      this.#apply(row, receipt);
      return 'applied';
    });
  }

  async applyPendingReceipts(limit: number): Promise<number> {
    let applied = 0;
    for (const receipt of this.receipts.values()) {
      if (applied >= limit || receipt.applied) continue;
      const row = this.#byConnectorId(receipt.connector, receipt.connectorMessageId);
      if (!row) continue;
      this.#apply(row, receipt);
      receipt.applied = true;
      applied += 1;
    }
    return applied;
  }

  async pruneUnmatchedReceipts(receivedBefore: Date, limit: number): Promise<number> {
    const old = [...this.receipts].filter(([, r]) => !r.applied && r.receivedAt < receivedBefore).sort(([, a], [, b]) => a.receivedAt.getTime() - b.receivedAt.getTime());
    for (const [key] of old.slice(0, limit)) this.receipts.delete(key);
    return Math.min(limit, old.length);
  }

  async expireDue(at: Date, limit: number): Promise<number> {
    const due = this.rows.filter(
      (r) => r.expiresAt <= at && (r.state === 'submitted' || (r.state === 'queued' && (r.leasedUntil === null || r.leasedUntil <= at))),
    );
    for (const row of due.slice(0, limit)) {
      this.#move(row, 'expired');
      row.finishedAt = at;
    }
    return Math.min(limit, due.length);
  }

  async find(id: number): Promise<StoredMessage | null> {
    return this.rows[id - 1] ?? null;
  }

  async campaign(merchantId: number, externalId: string): Promise<number> {
    const key = `${merchantId}/${externalId}`;
    if (!this.campaigns.has(key)) this.campaigns.set(key, this.campaigns.size + 1);
    return this.campaigns.get(key) as number;
  }

  async queuedCount(): Promise<number> {
    return this.rows.filter((r) => r.state === 'queued').length;
  }
}

/** An SMSC that answers as a test tells it: accept (ids c1, c2, …), reject, or throw. */
export class FakeConnector implements SmsConnector {
  readonly name = 'fake';
  readonly submitted: SmsSubmission[] = [];
  events: SmsEvents | undefined;
  answer: (submission: SmsSubmission) => SubmitOutcome | Error = () => ({ kind: 'accepted', connectorMessageId: `c${this.submitted.length}` });

  async start(events: SmsEvents): Promise<void> {
    this.events = events;
  }

  async submit(submission: SmsSubmission): Promise<SubmitOutcome> {
    this.submitted.push(submission);
    const answer = this.answer(submission);
    if (answer instanceof Error) throw answer;
    return answer;
  }

  async stop(): Promise<void> {}

  receipt(connectorMessageId: string, status: DeliveryReceipt['status'], receivedAt: Date, reason?: string): Promise<void> {
    if (!this.events) throw new Error('not started');
    return this.events.receipt({ connectorMessageId, status, reason, receivedAt });
  }
}
