import type { Static } from 'typebox';
import type { SubscriberProfile } from '../../core/carrier/ports.js';
import type { ServiceContext } from '../../core/merchants/types.js';
import type { SaleCheck, SubscriberInfoService } from '../../core/subscribers/service.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import { defineOperation } from '../kit/operation.js';
import { isMinimumAge, pricePolicy } from './catalogue.js';
import { chargeFault, FAULT, StrexFault } from './faults.js';
import { msisdnOf } from './operations.js';
import { MsisdnInput, SaleInput, type SaleQuery, UserInfoSummary, UserInfoV1, UserInfoV3 } from './wire.js';

type Fault = { Code: number; Description: string };

const VALIDITY: Record<SubscriberProfile['registration'], number> = {
  unregistered: 0,
  registered: 1,
  eligible: 2,
  barred: 3,
  verified: 4,
};
const SOURCE_OF_FUNDS: Record<SubscriberProfile['fundingSource'], number> = { unknown: -1, operator: 1, card: 3 };
const SUBSCRIPTION_TYPE: Record<SubscriberProfile['subscription'], number> = { unknown: -1, postpaid: 0, prepaid: 1 };

/** Strex "Get user information" v1, v2, v3 and summary (REST only, as the vendor offers them). */
export function userInfoOperations(subscribers: SubscriberInfoService) {
  return {
    userInfoV1: defineOperation({
      name: 'GetUserInfo',
      input: MsisdnInput,
      output: UserInfoV1,
      handle: async (_service: ServiceContext, { msisdn }) => userInfoV1(await subscribers.profile(msisdnOf(msisdn))),
    }),
    userInfoV2: defineOperation({
      name: 'GetUserInfoV2',
      input: SaleInput,
      output: null,
      async handle(service: ServiceContext, sale) {
        const error = await subscribers.checkSale(service, saleOf(msisdnOf(sale.msisdn), sale));
        if (error) throw chargeFault(error);
      },
    }),
    userInfoV3: defineOperation({
      name: 'GetUserInfoV3',
      input: MsisdnInput,
      output: UserInfoV3,
      handle: (service: ServiceContext, { msisdn }) => userInfoV3(subscribers, service, msisdnOf(msisdn)),
    }),
    userInfoSummary: defineOperation({
      name: 'GetUserInfoSummary',
      input: SaleInput,
      output: UserInfoSummary,
      async handle(service: ServiceContext, sale) {
        const msisdn = msisdnOf(sale.msisdn);
        const profile = await subscribers.profile(msisdn);
        // The checks run at the operator; when it does not know the subscriber none can.
        if (!profile.known) throw new StrexFault(FAULT.UserMnoError, 'Unknown subscriber at the operator');
        const [v2, v3] = await Promise.all([
          faultOf(async () => {
            const error = await subscribers.checkSale(service, saleOf(msisdn, sale), profile);
            if (error) throw chargeFault(error);
            return {};
          }),
          faultOf(() => userInfoV3(subscribers, service, msisdn, profile)),
        ]);
        return {
          ResponseV1: userInfoV1(profile),
          ResponseV1Fault: null,
          ResponseV2: v2.value,
          ResponseV2Fault: v2.fault,
          ResponseV3: v3.value,
          ResponseV3Fault: v3.fault,
        };
      },
    }),
  };
}

function saleOf(msisdn: Msisdn, query: Static<typeof SaleQuery>): SaleCheck {
  const amount = query.amount ?? '';
  if (!/^[0-9]{1,10}$/.test(amount) || Number(amount) <= 0) throw new StrexFault(FAULT.Validation, 'Invalid amount');
  const serviceCode = query.serviceCode ?? '';
  if (!/^[0-9]{5}$/.test(serviceCode)) throw new StrexFault(FAULT.Validation, `Invalid service code ${serviceCode}`);
  const ageText = query.age ?? query.Age;
  const sale = { msisdn, amountMinor: BigInt(amount), pricePolicy: pricePolicy(serviceCode) };
  if (ageText === undefined || ageText === '') return sale;
  const age = Number(ageText);
  if (!/^[0-9]{1,3}$/.test(ageText) || !isMinimumAge(age)) throw new StrexFault(FAULT.Validation, 'Invalid age');
  return { ...sale, minimumAge: age };
}

function userInfoV1(profile: SubscriberProfile) {
  return {
    Msisdn: profile.msisdn,
    Validity: profile.known ? VALIDITY[profile.registration] : 0,
    TerminalType: profile.terminalType,
  };
}

async function userInfoV3(subscribers: SubscriberInfoService, service: ServiceContext, msisdn: Msisdn, loaded?: SubscriberProfile) {
  const view = await subscribers.limits(service, msisdn, loaded);
  return {
    PreferredSourceOfFunds: SOURCE_OF_FUNDS[view.profile.fundingSource],
    SubscriptionType: SUBSCRIPTION_TYPE[view.profile.subscription],
    MaxAmountPrTransaction: Number(view.maxPerTransactionMinor),
    // 0: the limit is reached; -1: no limit applies.
    RemainingMonthlyAmount: view.remaining.monthMinor === null ? -1 : Number(view.remaining.monthMinor),
    RemainingYearlyAmount: view.remaining.yearMinor === null ? -1 : Number(view.remaining.yearMinor),
  };
}

/** Runs one check of the summary: its answer, or the DirectPaymentFault it ended with. */
async function faultOf<T>(check: () => Promise<T>): Promise<{ value: T | null; fault: Fault | null }> {
  try {
    return { value: await check(), fault: null };
  } catch (error) {
    if (!(error instanceof StrexFault)) throw error;
    return { value: null, fault: { Code: error.code, Description: error.description } };
  }
}
