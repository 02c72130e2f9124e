import { assert } from '../../kernel/assert.js';

/**
 * A message's life: queued until it is submitted to the SMSC (or fails or expires there
 * first), submitted until its delivery receipt (or its validity) ends it. The three
 * final states are final.
 */
export type MessageState = 'queued' | 'submitted' | 'delivered' | 'failed' | 'expired';

export const MESSAGE_STATES: readonly MessageState[] = ['queued', 'submitted', 'delivered', 'failed', 'expired'];

const TRANSITIONS: { readonly [S in MessageState]: readonly MessageState[] } = {
  queued: ['submitted', 'failed', 'expired'],
  submitted: ['delivered', 'failed', 'expired'],
  delivered: [],
  failed: [],
  expired: [],
};

export function canTransition(from: MessageState, to: MessageState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** A transition the code asks for must be one of the machine's: anything else is a bug. */
export function assertTransition(from: MessageState, to: MessageState): void {
  assert(canTransition(from, to), `a message cannot go from ${from} to ${to}`);
}

export function isFinal(state: MessageState): boolean {
  return TRANSITIONS[state].length === 0;
}

export function isMessageState(value: string): value is MessageState {
  return (MESSAGE_STATES as readonly string[]).includes(value);
}
