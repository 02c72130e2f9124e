import type { Msisdn } from '../../kernel/msisdn.js';

export interface NewAuthorizationToken {
  readonly serviceId: number;
  readonly msisdn: Msisdn;
  readonly tokenHash: string;
  readonly externalReference: string;
  readonly clientTransactionId: string;
  readonly description: string | null;
  readonly createdAt: Date;
}

/** PreAuthorize tokens, kept as hashes; every query is scoped by service. */
export interface AuthorizationTokenRepository {
  create(token: NewAuthorizationToken): Promise<void>;
  /** Whether an unrevoked token with this hash belongs to (service, MSISDN). */
  isValid(serviceId: number, msisdn: Msisdn, tokenHash: string): Promise<boolean>;
  revoke(serviceId: number, tokenHash: string, at: Date): Promise<boolean>;
}
