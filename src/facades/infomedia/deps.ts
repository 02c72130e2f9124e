import type { MsisdnSealer } from '../../core/aliases/sealed-msisdn.js';
import type { ThrottledVerifier } from '../../core/merchants/throttled-verifier.js';
import type { SubscriberInfoService } from '../../core/subscribers/service.js';
import type { FrameworkErrorRoutes } from '../shared/framework-errors.js';

/** What the Infomedia methods call: core services only. Methods of later steps add theirs here. */
export interface InfomediaDeps {
  readonly verifier: ThrottledVerifier;
  readonly sealer: MsisdnSealer;
  readonly subscribers: SubscriberInfoService;
  readonly frameworkErrors: FrameworkErrorRoutes;
}
