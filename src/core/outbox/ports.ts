export interface OutboxEvent {
  readonly id: number;
  readonly topic: string;
  readonly payload: Record<string, unknown>;
  readonly attempts: number;
  /** When it was queued, or sent again by the operator: a topic's retry window counts from here. */
  readonly retryingSince: Date;
}

/** Delivered; failed and retried later; or failed past its topic's retry window: a dead letter. */
export type DeliveryResult = 'delivered' | { retryInMs: number; error: string } | { dead: true; error: string };

/** An event that was given up on, as the operator sees it. */
export interface DeadLetter {
  readonly id: number;
  readonly topic: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly deadAt: Date;
}

export interface DeliveryOutcome {
  readonly eventId: number;
  readonly result: DeliveryResult;
  readonly forgetPayload: boolean;
}

export interface OutboxRepository {
  /**
   * Claims up to limit due events for leaseMs: they are invisible to other workers
   * until the lease ends, so a worker that dies mid-delivery only delays them. Due means
   * available at or before `at` (the injected clock's time, never the database's).
   */
  claimDue(limit: number, leaseMs: number, at: Date): Promise<OutboxEvent[]>;
  /**
   * Records the outcomes of a batch of delivery attempts. A delivered event with
   * forgetPayload keeps its row (the record that it happened) but not its content.
   * Delivered at `at`; a retry becomes due retryInMs after it.
   */
  complete(outcomes: ReadonlyArray<DeliveryOutcome>, at: Date): Promise<void>;
  /** The dead letters, oldest first, at most limit. */
  deadLetters(limit: number): Promise<DeadLetter[]>;
  /** How many dead letters there are (not yet sent again). */
  deadLetterCount(): Promise<number>;
  /** Makes a dead letter due again at `at`, its attempts counted from zero; false when id is no dead letter. */
  resend(id: number, at: Date): Promise<boolean>;
}

/** Delivers one event's decoded payload; at least once, so it must be idempotent. */
export type OutboxHandler<P> = (payload: P, event: OutboxEvent) => Promise<void>;
