import type { OpenDcb } from '../../src/app.js';
import { DEMO_AUTH } from './app.js';

export interface WireResponse {
  status: number;
  body: unknown;
  text: string;
  contentType: string;
}

interface CallOptions {
  serviceId?: number;
  auth?: string | null;
  headers?: Record<string, string>;
}

const base = (serviceId: number) => `/RestV1.svc/service/${serviceId}/pay`;

/** A Strex REST client on app.inject(): the wire as a merchant's client sees it. */
export class StrexClient {
  constructor(
    private readonly app: OpenDcb,
    private readonly defaults: CallOptions = {},
  ) {}

  pay(details: Record<string, unknown>, options: CallOptions = {}): Promise<WireResponse> {
    return this.raw('POST', '', JSON.stringify({ PaymentDetails: details }), { 'content-type': 'application/json' }, options);
  }

  status(clientReference: string, options: CallOptions = {}): Promise<WireResponse> {
    return this.raw('GET', `/${encodeURIComponent(clientReference)}`, undefined, {}, options);
  }

  reverse(transactionId: number | string, options: CallOptions = {}): Promise<WireResponse> {
    return this.raw('DELETE', `/${transactionId}`, undefined, {}, options);
  }

  async raw(
    method: 'GET' | 'POST' | 'DELETE',
    suffix: string,
    payload: string | undefined,
    headers: Record<string, string>,
    options: CallOptions = {},
  ): Promise<WireResponse> {
    const merged = { ...this.defaults, ...options };
    const auth = merged.auth === undefined ? DEMO_AUTH : merged.auth;
    const response = await this.app.http.inject({
      method,
      url: base(merged.serviceId ?? 1000) + suffix,
      payload,
      headers: { ...headers, ...(auth ? { authorization: auth } : {}), ...merged.headers },
    });
    const contentType = String(response.headers['content-type'] ?? '');
    const body = contentType.includes('json') ? response.json() : response.body;
    return { status: response.statusCode, body, text: response.body, contentType };
  }
}
