import { ActivityService } from '../core/activity/service.js';
import { SubscriptionService } from '../core/subscriptions/service.js';
import { TokenService } from '../core/tokens/service.js';
import type { Clock } from '../kernel/clock.js';
import type { Database } from '../storage/db.js';
import { SqlActivityRepository } from '../storage/repositories/activity.js';
import { SqlProductRepository } from '../storage/repositories/products.js';
import { SqlTokenRepository } from '../storage/repositories/purchase-tokens.js';
import { SqlSubscriptionRepository } from '../storage/repositories/subscriptions.js';

/** Purchase tokens, the activity log and subscriptions (decision 40). */
export interface SubscriptionsModule {
  tokens: TokenService;
  activity: ActivityService;
  subscriptions: SubscriptionService;
}

export function subscriptionsModule(deps: { db: Database; clock: Clock }): SubscriptionsModule {
  const { db, clock } = deps;
  return {
    tokens: new TokenService(new SqlTokenRepository(db.kysely), clock),
    activity: new ActivityService(new SqlActivityRepository(db.kysely), clock),
    subscriptions: new SubscriptionService(new SqlSubscriptionRepository(db.kysely), new SqlProductRepository(db.kysely), clock),
  };
}
