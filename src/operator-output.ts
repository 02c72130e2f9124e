import type { AccountsError } from './core/merchants/accounts.js';

/** One line for each refusal, in the operator's terms. */
export function describeError(error: AccountsError): string {
  switch (error.kind) {
    case 'invalid-field':
      return `${error.field} ${error.reason}`;
    case 'unknown-merchant':
      return `no merchant ${error.merchantId}`;
    case 'unknown-endpoint':
      return `no endpoint ${error.endpointId}`;
    case 'unknown-endpoint-kind':
      return `no endpoint kind ${error.endpointKind}; the kinds are ${error.known.join(', ')} (opendcb endpoints kinds)`;
    case 'invalid-settings':
      return `the endpoint was not added: ${error.reasons.join('; ')}`;
    case 'endpoint-taken':
      return 'the endpoint id or one of the vendor ids already belongs to an endpoint';
    case 'credential-kind-not-accepted':
      return `this endpoint's API does not take ${error.credentialKind} credentials, only ${error.accepted.join(', ')}`;
    case 'identifier-taken':
      return `a live credential of this kind is already called ${error.identifier}`;
    case 'unknown-credential':
      return `no credential ${error.credentialId}`;
    case 'credential-revoked':
      return `credential ${error.credentialId} is revoked`;
    case 'unknown-product':
      return `no product ${error.productId}`;
    case 'product-taken':
      return `product id ${error.productId} is taken`;
    case 'plan-taken':
      return `plan id ${error.planId} is taken`;
  }
}

/** Prints rows as columns padded to their widest cell under a header, or says there are none. */
export function table(print: (line: string) => void, header: readonly string[], rows: readonly (readonly string[])[]): void {
  if (rows.length === 0) {
    print('(none)');
    return;
  }
  // Tabs and newlines inside a value would break the columns: they are shown as spaces.
  const clean = (cell: string) => cell.replace(/[\t\r\n]/g, ' ');
  const lines = [header, ...rows].map((row) => row.map(clean));
  const widths = header.map((_, column) => Math.max(...lines.map((row) => (row[column] ?? '').length)));
  for (const row of lines) print(row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  '));
}

/** A message longer than this is cut: one line of stderr, not a page (a 4 KiB option echoed back). */
const MAX_MESSAGE_CHARS = 500;
const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A message as one line of stderr. Messages echo what the operator typed, and a value may hold
 * a newline (a second, forged line), a terminal escape sequence or a bidirectional override:
 * those are shown as escapes (\n, \x1b, \u202e), never written out.
 */
export function oneLine(message: string): string {
  const escaped = message.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return NAMED_ESCAPES[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`);
  });
  return escaped.length <= MAX_MESSAGE_CHARS ? escaped : `${escaped.slice(0, MAX_MESSAGE_CHARS)}… (cut at ${MAX_MESSAGE_CHARS} characters)`;
}
