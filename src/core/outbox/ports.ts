export interface OutboxEvent {
  readonly id: number;
  readonly topic: string;
  readonly payload: Record<string, unknown>;
  readonly attempts: number;
}

export interface OutboxRepository {
  /** Claims due events (FOR UPDATE SKIP LOCKED) and hands them to handle in one transaction each batch. */
  processDue(limit: number, handle: (event: OutboxEvent) => Promise<'delivered' | { retryInMs: number; error: string }>): Promise<number>;
}

export type OutboxHandler = (event: OutboxEvent) => Promise<void>;
