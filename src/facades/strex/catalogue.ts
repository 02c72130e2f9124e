import type { PricePolicy, PriceRange } from '../../core/pricing/policy.js';

/** Strex Direct Payment service codes with their price ranges in øre, inclusive. */
export const SERVICE_CODES: ReadonlyMap<string, PriceRange & { readonly description: string }> = new Map([
  ['01001', { description: 'Mobile Internet and media (not overcharged)', minMinor: 100n, maxMinor: 20000n }],
  ['02001', { description: 'SMS', minMinor: 100n, maxMinor: 20000n }],
  ['02002', { description: 'MMS', minMinor: 100n, maxMinor: 20000n }],
  ['02003', { description: 'Instant messaging', minMinor: 100n, maxMinor: 20000n }],
  ['02004', { description: 'e-mail', minMinor: 100n, maxMinor: 20000n }],
  ['03001', { description: 'Ringtone', minMinor: 100n, maxMinor: 20000n }],
  ['03002', { description: 'Music', minMinor: 100n, maxMinor: 20000n }],
  ['03003', { description: 'Game', minMinor: 100n, maxMinor: 20000n }],
  ['03004', { description: 'Picture', minMinor: 100n, maxMinor: 20000n }],
  ['03006', { description: 'Audio streaming subscription-free data traffic', minMinor: 100n, maxMinor: 20000n }],
  ['03007', { description: 'Video', minMinor: 100n, maxMinor: 20000n }],
  ['03009', { description: 'Video streaming subscription-free data traffic', minMinor: 100n, maxMinor: 20000n }],
  ['03010', { description: 'Chat', minMinor: 100n, maxMinor: 20000n }],
  ['03011', { description: 'Community', minMinor: 100n, maxMinor: 20000n }],
  ['03012', { description: 'Competiton (sic)', minMinor: 100n, maxMinor: 20000n }],
  ['04001', { description: 'Directory services', minMinor: 100n, maxMinor: 20000n }],
  ['04002', { description: 'Tv/radio interaction', minMinor: 100n, maxMinor: 20000n }],
  ['04003', { description: '1881 spesialpris', minMinor: 100n, maxMinor: 20000n }],
  ['05001', { description: 'Theatre ticket', minMinor: 100n, maxMinor: 50000n }],
  ['05002', { description: 'Cinema ticket', minMinor: 100n, maxMinor: 50000n }],
  ['05003', { description: 'Concert ticket', minMinor: 100n, maxMinor: 50000n }],
  ['05004', { description: 'Book', minMinor: 100n, maxMinor: 50000n }],
  ['05005', { description: 'Audio book CD', minMinor: 100n, maxMinor: 50000n }],
  ['05006', { description: 'Film dvd', minMinor: 100n, maxMinor: 50000n }],
  ['05007', { description: 'Music CD', minMinor: 100n, maxMinor: 50000n }],
  ['05008', { description: 'Newspaper', minMinor: 100n, maxMinor: 50000n }],
  ['05009', { description: 'Magazine', minMinor: 100n, maxMinor: 50000n }],
  ['05010', { description: 'Event ticket', minMinor: 100n, maxMinor: 50000n }],
  ['06001', { description: 'Train', minMinor: 100n, maxMinor: 50000n }],
  ['06002', { description: 'Bus', minMinor: 100n, maxMinor: 50000n }],
  ['06003', { description: 'Metro/tram', minMinor: 100n, maxMinor: 50000n }],
  ['06004', { description: 'Taxi', minMinor: 100n, maxMinor: 50000n }],
  ['06005', { description: 'Parking', minMinor: 100n, maxMinor: 50000n }],
  ['06006', { description: 'Ferry', minMinor: 100n, maxMinor: 50000n }],
  ['06007', { description: 'Public road charges', minMinor: 100n, maxMinor: 50000n }],
  ['06008', { description: 'Car operation and maintenance services', minMinor: 100n, maxMinor: 50000n }],
  ['06009', { description: 'Airplane ticket', minMinor: 100n, maxMinor: 50000n }],
  ['07001', { description: 'Medical treatment', minMinor: 100n, maxMinor: 50000n }],
  ['07002', { description: 'Medicines', minMinor: 100n, maxMinor: 50000n }],
  ['07003', { description: 'Public fees - medical treatment', minMinor: 100n, maxMinor: 50000n }],
  ['08001', { description: 'Advertising', minMinor: 100n, maxMinor: 50000n }],
  ['08002', { description: 'Classified ads over 200 NOK', minMinor: 20100n, maxMinor: 50000n }],
  ['09001', { description: 'Gift certificate', minMinor: 100n, maxMinor: 50000n }],
  ['09002', { description: 'Insurance', minMinor: 100n, maxMinor: 50000n }],
  ['10001', { description: 'Food and drink', minMinor: 100n, maxMinor: 50000n }],
  ['10002', { description: 'Food and drink - Physical goods', minMinor: 100n, maxMinor: 50000n }],
  ['11001', { description: 'Food and drink - restaurants', minMinor: 100n, maxMinor: 50000n }],
  ['12001', { description: 'Lodging', minMinor: 100n, maxMinor: 50000n }],
  ['13001', { description: 'Public fishing licence - "Fiskeravgift"', minMinor: 100n, maxMinor: 50000n }],
  ['13002', { description: 'Private fishing licence', minMinor: 100n, maxMinor: 50000n }],
  ['13003', { description: 'Access fee sports', minMinor: 100n, maxMinor: 50000n }],
  ['13004', { description: 'Consulting/Coaching', minMinor: 100n, maxMinor: 50000n }],
  ['13005', { description: 'Access fee television services', minMinor: 100n, maxMinor: 50000n }],
  ['13006', { description: 'Manual services', minMinor: 100n, maxMinor: 50000n }],
  ['13007', { description: 'No show manual services', minMinor: 100n, maxMinor: 50000n }],
  ['14001', { description: 'Membership Fee', minMinor: 100n, maxMinor: 50000n }],
  ['14002', { description: 'Givertjeneste for beløp 1,- til 27,-', minMinor: 100n, maxMinor: 50000n }],
  ['14003', { description: 'Donation - Donation', minMinor: 100n, maxMinor: 50000n }],
  ['15001', { description: 'Physical goods - non food', minMinor: 100n, maxMinor: 50000n }],
  ['15002', { description: 'Physical goods - non food - Physical goods', minMinor: 100n, maxMinor: 50000n }],
  ['16001', { description: 'Internet TV', minMinor: 100n, maxMinor: 50000n }],
  ['16002', { description: 'Internet film', minMinor: 100n, maxMinor: 50000n }],
  ['16003', { description: 'e-book', minMinor: 100n, maxMinor: 50000n }],
  ['16004', { description: 'e-magazine', minMinor: 100n, maxMinor: 50000n }],
  ['16005', { description: 'e-newspaper', minMinor: 100n, maxMinor: 50000n }],
  ['16006', { description: 'Internet music', minMinor: 100n, maxMinor: 50000n }],
  ['16007', { description: 'Digital education services', minMinor: 100n, maxMinor: 50000n }],
  ['16008', { description: 'Automatic number directory services', minMinor: 100n, maxMinor: 50000n }],
]);

/** Strex business models (PaymentDetails.BusinessModel) with price ranges in øre. */
export const BUSINESS_MODELS: ReadonlyMap<string, PriceRange> = new Map([
  ['STREX-PAYMENT', { minMinor: 100n, maxMinor: 100000n }],
  ['TRANSPORT', { minMinor: 100n, maxMinor: 100000n }],
  ['DONATION', { minMinor: 100n, maxMinor: 100000n }],
  ['MEDIA', { minMinor: 100n, maxMinor: 100000n }],
  ['INFORMATIONSERVICES', { minMinor: 100n, maxMinor: 50000n }],
  ['AUTOMATICNUMBERDIRECTORYSERVICE', { minMinor: 100n, maxMinor: 50000n }],
  ['MOBILECONTENTSERVICES', { minMinor: 100n, maxMinor: 50000n }],
  ['MOBILECONTENTSERVICES18+', { minMinor: 100n, maxMinor: 50000n }],
  ['ALERTSERVICES', { minMinor: 100n, maxMinor: 50000n }],
  ['VOTING', { minMinor: 100n, maxMinor: 50000n }],
]);

/** Pay's RequiredAge: the two ages Strex sells to. */
export const ALLOWED_AGES = [16, 18] as const;
export type RequiredAge = (typeof ALLOWED_AGES)[number];

export function isAllowedAge(age: number): age is RequiredAge {
  return (ALLOWED_AGES as readonly number[]).includes(age);
}

/**
 * A minimum age as user info and PreAuthorize take it (any age, unlike Pay's 16 or 18):
 * a whole number of years a person can have.
 */
export const MAX_MINIMUM_AGE = 150;
export function isMinimumAge(age: number): boolean {
  return Number.isInteger(age) && age >= 0 && age <= MAX_MINIMUM_AGE;
}

/** Who SMS prompts come from unless the request names a short number (a 10-digit suffix is added). */
export const PROMPT_SENDER = '2222';
/** Who verification codes come from. */
export const VERIFICATION_SENDER = 'Strex';

/** The Strex price policy of a purchase: its service code's range, then its business model's. */
export function pricePolicy(serviceCode: string, businessModel?: string): PricePolicy {
  const code = { rule: { label: `service code ${serviceCode}` }, range: SERVICE_CODES.get(serviceCode) ?? null };
  if (businessModel === undefined) return { rules: [code] };
  return { rules: [code, { rule: { label: `business model ${businessModel}` }, range: BUSINESS_MODELS.get(businessModel) ?? null }] };
}
