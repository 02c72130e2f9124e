import type { FastifyRequest } from 'fastify';
import type { ThrottledVerifier } from '../../core/merchants/throttled-verifier.js';
import { CODE, fail } from './faults.js';
import { INFOMEDIA_KIND, type Partner, partnerOf } from './partner.js';

/**
 * U and P → the partner (infomedia-reference §1, §5). A source outside the credential's
 * allow-list is 06; anything else that fails (no such user, wrong password, throttled,
 * busy) is 01: the verifier takes as long for each, so neither the answer nor its time
 * tells a guesser more. The client's address is Fastify's request.ip (TRUST_PROXY decides).
 */
export async function authenticatePartner(verifier: ThrottledVerifier, request: FastifyRequest, credentials: { U?: string; P?: string }): Promise<Partner> {
  const username = credentials.U ?? '';
  const password = credentials.P ?? '';
  if (username === '' || password === '') throw fail('login');
  const result = await verifier.verify(username, password, request.ip);
  if (!result.ok) throw fail(result.error.kind === 'source-not-allowed' ? CODE.UnauthorisedIp : 'login');
  // A password credential of another API's endpoint is no Infomedia login.
  if (result.value.kind !== INFOMEDIA_KIND) throw fail('login');
  return partnerOf(result.value);
}
