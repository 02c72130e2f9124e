/**
 * Tells a merchant's server something by calling the URL it configured (a postback, a
 * delivery report). Resolves when the server answered 2xx; rejects with the reason
 * otherwise (another status, a redirect, no answer in time), so the outbox retries it.
 */
export interface MerchantNotifier {
  get(url: string): Promise<void>;
}
