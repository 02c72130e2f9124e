import type { FastifyRequest } from 'fastify';
import type { Endpoint } from '../../core/merchants/accounts-types.js';
import type { ThrottledVerifier } from '../../core/merchants/throttled-verifier.js';
import { HERMES_KIND } from './endpoint.js';
import { fail, STATUS } from './faults.js';

/** Who a Hermes request speaks for: the account's endpoint, its campaigns and its sender. */
export interface HermesAccount {
  readonly endpoint: Endpoint;
  /** The campaigns it may name; null: any (none are listed in its settings). */
  readonly campaignIds: ReadonlySet<string> | null;
  readonly sender: string;
}

/** The sender of an account that names none: the platform's name, as an alphanumeric sender. */
export const DEFAULT_SENDER = 'OpenDCB';

/** 32 hex digits in any case, or .NET's 16 dashed pairs (BitConverter.ToString) — §14. */
const MD5_HASH = /^(?:[0-9A-Fa-f]{32}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){15})$/;

/**
 * Username and MD5Hash → the account (infomedia-reference §7, §14). A hash that is no MD5
 * digest in either spelling is 92; everything else that fails (no such user, a digest
 * that does not match, a source outside the allow-list, throttled, busy) is 91, in the
 * verifier's one time, so the answer does not tell a guesser which usernames exist.
 */
export async function authenticateAccount(verifier: ThrottledVerifier, request: FastifyRequest, credentials: { Username?: string; MD5Hash?: string }): Promise<HermesAccount> {
  const username = credentials.Username ?? '';
  const hash = credentials.MD5Hash ?? '';
  if (username === '') throw fail(STATUS.NoAccount);
  if (!MD5_HASH.test(hash)) throw fail(STATUS.InvalidHash);
  const result = await verifier.verify(username, hash, request.ip);
  // A shared-secret credential of another API's endpoint is no Hermes account.
  if (!result.ok || result.value.kind !== HERMES_KIND) throw fail(STATUS.NoAccount);
  return accountOf(result.value);
}

function accountOf(endpoint: Endpoint): HermesAccount {
  const { campaignIds, sender } = endpoint.settings as { campaignIds?: readonly string[]; sender?: string };
  return {
    endpoint,
    campaignIds: campaignIds === undefined || campaignIds.length === 0 ? null : new Set(campaignIds),
    sender: sender ?? DEFAULT_SENDER,
  };
}
