import type { Operator, Registration, SubscriberProfile } from '../../core/carrier/ports.js';
import type { Currency } from '../../kernel/money.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import { msisdnCountry } from '../../kernel/msisdn.js';

const op = (mccMnc: string, name: string, country: string, currency: Currency): Operator => ({ mccMnc, name, country, currency });

export const SANDBOX_OPERATORS = {
  telenorNo: op('242-01', 'Telenor', 'NO', 'NOK'),
  teliaNo: op('242-02', 'Telia', 'NO', 'NOK'),
  iceNo: op('242-14', 'ICE', 'NO', 'NOK'),
  vodafoneUk: op('234-15', 'Vodafone', 'GB', 'GBP'),
  eeUk: op('234-30', 'EE', 'GB', 'GBP'),
  vodacomZa: op('655-01', 'Vodacom', 'ZA', 'ZAR'),
  mtnZa: op('655-10', 'MTN', 'ZA', 'ZAR'),
} as const;

interface NumberBlock {
  /** Everything before the two profile digits NN. */
  readonly prefix: string;
  readonly home: Operator;
  readonly portedTo: Operator;
}

/** The three sandbox blocks of DESIGN.md; the last two digits pick the profile. */
export const SANDBOX_BLOCKS: readonly NumberBlock[] = [
  { prefix: '+47900000', home: SANDBOX_OPERATORS.telenorNo, portedTo: SANDBOX_OPERATORS.teliaNo },
  { prefix: '+4477009000', home: SANDBOX_OPERATORS.vodafoneUk, portedTo: SANDBOX_OPERATORS.eeUk },
  { prefix: '+278255500', home: SANDBOX_OPERATORS.vodacomZa, portedTo: SANDBOX_OPERATORS.mtnZa },
];

/** How the simulated handset answers confirmation and consent requests. */
export type ConsentBehaviour = 'confirms' | 'declines' | 'never_answers' | 'manual';

export type DebitBehaviour = 'succeeds' | 'prepaid' | 'late' | 'operator_error';

export interface SandboxSubscriber {
  readonly profile: SubscriberProfile;
  readonly debit: DebitBehaviour;
  readonly consent: ConsentBehaviour;
  readonly prepaidBalanceMinor: bigint;
}

/** 5,000 (×100 minor units) per transaction and a month, 25,000 a year. */
const DEFAULT_LIMITS = { perTransactionMinor: 500_000n, monthlyMinor: 500_000n, yearlyMinor: 2_500_000n } as const;
export const SANDBOX_PREPAID_BALANCE_MINOR = 5_000n;
/** The operator of profile 10 answers this long after the request. */
export const SANDBOX_LATE_ANSWER_MS = 5_000;

export function sandboxSubscriber(msisdn: Msisdn): SandboxSubscriber {
  const block = SANDBOX_BLOCKS.find((b) => msisdn.startsWith(b.prefix) && msisdn.length === b.prefix.length + 2);
  const operator = block?.home ?? operatorOutsideBlocks(msisdn);
  const base: SandboxSubscriber = {
    profile: {
      msisdn,
      operator,
      portedFrom: null,
      known: true,
      registration: 'eligible',
      age: 30,
      subscription: 'postpaid',
      fundingSource: 'operator',
      limits: DEFAULT_LIMITS,
      billing: 'invoice',
      whitelisted: false,
      terminalType: 'Sandbox Phone',
    },
    debit: 'succeeds',
    consent: 'confirms',
    prepaidBalanceMinor: 0n,
  };
  if (!block) return base;
  return applyProfile(base, msisdn.slice(-2), block);
}

function withProfile(base: SandboxSubscriber, changes: Partial<SubscriberProfile>, rest: Partial<SandboxSubscriber> = {}) {
  return { ...base, ...rest, profile: { ...base.profile, ...changes } };
}

function applyProfile(base: SandboxSubscriber, nn: string, block: NumberBlock): SandboxSubscriber {
  const registration = (r: Registration) => withProfile(base, { registration: r });
  switch (nn) {
    case '01':
      return withProfile(base, { known: false, registration: 'unregistered', age: null, subscription: 'unknown', fundingSource: 'unknown' });
    case '02':
      return registration('registered');
    case '03':
      return registration('barred');
    case '04':
      return withProfile(base, { registration: 'verified', limits: { ...DEFAULT_LIMITS, yearlyMinor: null } });
    case '05':
      return withProfile(
        base,
        { subscription: 'prepaid', billing: 'realtime' },
        { debit: 'prepaid', prepaidBalanceMinor: SANDBOX_PREPAID_BALANCE_MINOR },
      );
    case '06':
      return withProfile(base, { age: 15 });
    case '07':
      return withProfile(base, { age: 17 });
    case '08':
      return withProfile(base, { limits: { ...DEFAULT_LIMITS, monthlyMinor: 1_000n } });
    // The operator's own behaviour shows only when it is asked online.
    case '10':
      return withProfile(base, { billing: 'realtime' }, { debit: 'late' });
    case '11':
      return withProfile(base, { billing: 'realtime' }, { debit: 'operator_error' });
    case '12':
      return { ...base, consent: 'declines' };
    case '13':
      return { ...base, consent: 'never_answers' };
    case '14':
      return { ...base, consent: 'manual' };
    case '15':
      return withProfile(base, { operator: block.portedTo, portedFrom: block.home });
    case '16':
      return withProfile(base, { fundingSource: 'card', billing: 'realtime' });
    case '17':
      return withProfile(base, { whitelisted: true });
    default:
      // 18 (blacklisted) is the platform operator's decision: see sandbox seed data.
      return base;
  }
}

/** Outside the blocks the operator follows the number's range. */
function operatorOutsideBlocks(msisdn: Msisdn): Operator {
  const country = msisdnCountry(msisdn);
  if (country === 'NO') {
    if (/^\+474[157]/.test(msisdn)) return SANDBOX_OPERATORS.teliaNo;
    if (msisdn.startsWith('+4746')) return SANDBOX_OPERATORS.iceNo;
    return SANDBOX_OPERATORS.telenorNo;
  }
  if (country === 'GB') return SANDBOX_OPERATORS.vodafoneUk;
  if (country === 'ZA') return /^\+2783/.test(msisdn) ? SANDBOX_OPERATORS.mtnZa : SANDBOX_OPERATORS.vodacomZa;
  return op('999-99', 'Sandbox International', country ?? 'ZZ', 'USD');
}

/** The platform blocklist entries the sandbox seed adds (profile 18 of each block). */
export const SANDBOX_BLACKLISTED: readonly string[] = SANDBOX_BLOCKS.map((b) => `${b.prefix}18`);

/** A few numbers worth trying first (the start page links their handsets). */
export const SANDBOX_SHOWCASE: readonly { readonly msisdn: string; readonly behaviour: string }[] = [
  { msisdn: '+4790000000', behaviour: 'pays; confirms prompts by itself after a second' },
  { msisdn: '+4790000014', behaviour: 'answers prompts only from its handset page' },
  { msisdn: '+4790000012', behaviour: 'declines every prompt (code 6)' },
  { msisdn: '+4790000013', behaviour: 'never answers a prompt (code 10 after the timeout)' },
  { msisdn: '+4790000003', behaviour: 'operator billing barred (code 7)' },
  { msisdn: '+4790000005', behaviour: 'prepaid, 50.00 NOK balance' },
];
