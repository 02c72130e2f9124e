import type { MsisdnSealer } from '../../core/aliases/sealed-msisdn.js';
import type { ActivityService } from '../../core/activity/service.js';
import type { ThrottledVerifier } from '../../core/merchants/throttled-verifier.js';
import type { PaymentService } from '../../core/payments/service.js';
import type { ChargePinService } from '../../core/pins/service.js';
import type { ProductService } from '../../core/products/service.js';
import type { RefundService } from '../../core/refunds/service.js';
import type { SubscriberInfoService } from '../../core/subscribers/service.js';
import type { SubscriptionService } from '../../core/subscriptions/service.js';
import type { TokenService } from '../../core/tokens/service.js';
import type { FrameworkErrorRoutes } from '../shared/framework-errors.js';

/** What the Infomedia methods call: core services only. Methods of later steps add theirs here. */
export interface InfomediaDeps {
  readonly verifier: ThrottledVerifier;
  readonly sealer: MsisdnSealer;
  readonly subscribers: SubscriberInfoService;
  readonly products: ProductService;
  readonly pins: ChargePinService;
  readonly payments: PaymentService;
  readonly refunds: RefundService;
  readonly frameworkErrors: FrameworkErrorRoutes;
  readonly tokens: TokenService;
  readonly activity: ActivityService;
  readonly subscriptions: SubscriptionService;
}
