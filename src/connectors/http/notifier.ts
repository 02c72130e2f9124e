import type { MerchantNotifier } from '../../core/notifications/ports.js';

/** A merchant's server that takes longer has not answered: the outbox tries again later. */
const NOTIFY_TIMEOUT_MS = 5_000;
/** What of an answer is read: enough to be done with the connection, not to hold a large body. */
const MAX_ANSWER_BYTES = 16 * 1024;

/**
 * HTTP GET to a merchant's URL with Node's fetch. Redirects are not followed (a 3xx is not
 * an answer: the URL is the merchant's to fix, and following would let it point us anywhere).
 */
export class HttpMerchantNotifier implements MerchantNotifier {
  constructor(private readonly timeoutMs = NOTIFY_TIMEOUT_MS) {}

  async get(url: string): Promise<void> {
    const response = await fetch(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
    await drain(response);
    if (response.status < 200 || response.status > 299) throw new Error(`the merchant's server answered HTTP ${response.status}`);
  }
}

async function drain(response: Response): Promise<void> {
  const reader = response.body?.getReader();
  if (!reader) return;
  let read = 0;
  try {
    while (read <= MAX_ANSWER_BYTES) {
      const chunk = await reader.read();
      if (chunk.done) return;
      read += chunk.value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
