import type { ActivityEntry, ActivityQuery, NewActivity } from './types.js';

export interface ActivityRepository {
  /** Answers the entry's id, from a sequence (ids grow with time but may have gaps). */
  append(entry: NewActivity, at: Date): Promise<number>;
  /** A merchant's entries in the query's window, oldest first, by (time, id). */
  list(query: ActivityQuery): Promise<ActivityEntry[]>;
}
