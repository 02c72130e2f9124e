import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { escapeHtml } from '../../kernel/html.js';

export interface StartPageOptions {
  /** The seeded demo service, or null where none is seeded (production mode). */
  demo: { serviceId: number; smsServiceId: number; username: string; password: string } | null;
  /** Sandbox numbers to link, each with what its subscriber does. */
  handsets: readonly { msisdn: string; behaviour: string }[];
}

/**
 * GET /: what this server offers, for someone who just started it and opened the address
 * in a browser: where the Strex APIs are, the demo credentials, the sandbox handsets and
 * the operational endpoints. One server-rendered page with no external assets and no
 * JavaScript. It is registered only while the sandbox is on: the demo credentials and
 * handsets it points to exist only there.
 */
export const startPage: FastifyPluginAsync<StartPageOptions> = async (app, options) => {
  app.get('/', async (request, reply) => reply.type('text/html; charset=utf-8').send(render(origin(request), options)));
};

/** The address the browser used, so that the examples can be pasted as they are. */
function origin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

function render(base: string, options: StartPageOptions): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>OpenDCB sandbox</title><style>${STYLE}</style></head><body><main>
<h1>OpenDCB sandbox</h1>
<p>This server speaks the Strex Direct Payment API against a simulated carrier network: no real phone is ever charged.</p>
${strexSection(base)}
${credentialsSection(options.demo)}
${handsetsSection(options.handsets)}
${tryItSection(base, options.demo)}
<section aria-labelledby="operations"><h2 id="operations">Operations</h2><ul class="links">
<li><a href="/healthz"><code>/healthz</code></a>: the server and its database answer</li>
<li><a href="/metrics"><code>/metrics</code></a>: Prometheus metrics</li></ul></section>
</main></body></html>`;
}

function strexSection(base: string): string {
  return `<section aria-labelledby="strex"><h2 id="strex">Strex Direct Payment</h2><dl>
<dt>REST base</dt><dd><code>${escapeHtml(base)}/RestV1.svc</code> (JSON or XML; HTTP Basic)</dd>
<dt>SOAP 1.1 endpoint</dt><dd><code>${escapeHtml(base)}/soapV1.svc</code></dd>
<dt>WSDL</dt><dd><a href="/soapV1.svc?wsdl"><code>/soapV1.svc?wsdl</code></a></dd></dl></section>`;
}

function credentialsSection(demo: StartPageOptions['demo']): string {
  if (!demo) return '<section aria-labelledby="credentials"><h2 id="credentials">Demo credentials</h2><p>None: production mode seeds no demo data.</p></section>';
  return `<section aria-labelledby="credentials"><h2 id="credentials">Demo credentials</h2><table>
<tr><th scope="row">serviceId</th><td><code>${demo.serviceId}</code> (Direct Payment, bills in NOK); <code>${demo.smsServiceId}</code> (SMS platform, for PreAuthorize with platform <code>1</code>)</td></tr>
<tr><th scope="row">username</th><td><code>${escapeHtml(demo.username)}</code></td></tr>
<tr><th scope="row">password</th><td><code>${escapeHtml(demo.password)}</code></td></tr></table></section>`;
}

function handsetsSection(handsets: StartPageOptions['handsets']): string {
  const items = handsets
    .map((h) => `<li><a href="/sandbox/handsets/${encodeURIComponent(h.msisdn)}">${escapeHtml(h.msisdn)}</a>: ${escapeHtml(h.behaviour)}</li>`)
    .join('');
  return `<section aria-labelledby="handsets"><h2 id="handsets">Sandbox handsets</h2>
<p>Each number's page shows its SMS, the prompts waiting for its answer and its standing consents. Any other number has a page too, at <code>/sandbox/handsets/{msisdn}</code>.</p>
<ul class="links">${items}</ul></section>`;
}

function tryItSection(base: string, demo: StartPageOptions['demo']): string {
  const user = demo ? `${demo.username}:${demo.password}` : 'username:password';
  const serviceId = demo?.serviceId ?? '{serviceId}';
  const body = '{"PaymentDetails":{"Msisdn":"+4790000000","Price":1000,"ServiceCode":"10002","ClientReference":"order-1"}}';
  return `<section aria-labelledby="try"><h2 id="try">Try it</h2><p>A Pay of 10.00 NOK:</p>
<pre><code>curl -u ${escapeHtml(user)} -H 'Content-Type: application/json' \\
  -d '${escapeHtml(body)}' \\
  ${escapeHtml(base)}/RestV1.svc/service/${serviceId}/pay</code></pre>
<p>The README's "Try it" section has an example of every operation, with the answers this server gives.</p></section>`;
}

// Text contrast 4.5:1 or more (the muted grey, #4a5059 on white, is 8.1:1); links are
// 44 px high, as on the handset page.
const STYLE = `body{font-family:system-ui,sans-serif;max-width:44rem;margin:1rem auto;padding:0 1rem;background:#f4f4f6;color:#1f2328;line-height:1.5}
main{background:#fff;border-radius:1rem;padding:1rem 1.5rem;box-shadow:0 2px 12px #0002}h1{font-size:1.4rem;margin:.3rem 0 .5rem}
h2{font-size:1rem;text-transform:uppercase;letter-spacing:.03em;color:#4a5059;margin:1.4rem 0 .4rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0;align-items:center}dt{font-weight:600}dd{margin:0}
table{border-collapse:collapse}th{text-align:left;padding:.2rem 1rem .2rem 0;font-weight:600}td{padding:.2rem 0}
ul.links{list-style:none;padding:0;margin:0}a{color:#0b5cad;display:inline-block;min-height:44px;min-width:44px;line-height:44px}
a:focus-visible{outline:3px solid #0b5cad;outline-offset:2px}code{font-family:ui-monospace,Menlo,Consolas,'DejaVu Sans Mono',monospace;font-size:.9em}
pre{background:#1f2328;color:#fff;border-radius:.5rem;padding:.8rem 1rem;white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.45}`;
