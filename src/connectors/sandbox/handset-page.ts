import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { escapeHtml } from '../../kernel/html.js';
import { type Msisdn, parseMsisdn } from '../../kernel/msisdn.js';
import type { HandsetPrompts, SandboxInbox } from './messaging.js';

const CSRF_COOKIE = 'handset_csrf';
const MAX_FORM_BYTES = 1024;
const HTMX = readFileSync(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'), 'utf8');

/**
 * The virtual handset page, GET /sandbox/handsets/{msisdn}: its SMS and the prompts
 * waiting for an answer, with Confirm and Decline buttons. Plain forms work without
 * JavaScript (POST, then 303 back); htmx refreshes the lists every second. Forms carry a
 * double-submit CSRF token (a SameSite=Strict cookie and the same value in the form).
 */
export function registerHandsetPage(app: FastifyInstance, deps: { inbox: SandboxInbox; prompts: HandsetPrompts }): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: MAX_FORM_BYTES }, (_request, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );

  app.get('/assets/htmx.min.js', async (_request, reply) =>
    reply.type('application/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').send(HTMX),
  );

  app.get<{ Params: { msisdn: string } }>('/handsets/:msisdn', async (request, reply) => {
    const msisdn = parseMsisdn(request.params.msisdn);
    if (!msisdn) return reply.code(400).type('text/plain').send('Not a mobile number');
    const csrf = csrfToken(request, reply);
    const [messages, prompts] = await Promise.all([deps.inbox.inbox(msisdn), deps.prompts.waitingFor(msisdn)]);
    return reply.type('text/html; charset=utf-8').send(page(msisdn, csrf, messages, prompts));
  });

  app.post<{ Params: { msisdn: string }; Body: Record<string, string> }>('/handsets/:msisdn/answer', async (request, reply) => {
    const msisdn = parseMsisdn(request.params.msisdn);
    const body = request.body ?? {};
    if (!msisdn || !/^[0-9]{1,15}$/.test(body.prompt ?? '') || (body.answer !== 'confirm' && body.answer !== 'decline')) {
      return reply.code(400).type('text/plain').send('Bad request');
    }
    if (!csrfMatches(request, body.csrf)) return reply.code(403).type('text/plain').send('Reload the page and try again');
    await deps.prompts.answer(Number(body.prompt), msisdn, body.answer === 'confirm' ? 'confirmed' : 'declined');
    return reply.redirect(`/sandbox/handsets/${encodeURIComponent(msisdn)}`, 303);
  });
}

function csrfToken(request: FastifyRequest, reply: FastifyReply): string {
  const existing = cookie(request, CSRF_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{32}$/.test(existing)) return existing;
  const token = randomBytes(24).toString('base64url');
  reply.header('set-cookie', `${CSRF_COOKIE}=${token}; Path=/sandbox/handsets; HttpOnly; SameSite=Strict`);
  return token;
}

function csrfMatches(request: FastifyRequest, submitted: string | undefined): boolean {
  const expected = cookie(request, CSRF_COOKIE);
  if (!expected || !submitted || expected.length !== submitted.length) return false;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(submitted));
}

function cookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function page(
  msisdn: Msisdn,
  csrf: string,
  messages: { id: number; from: string; text: string; receivedAt: string }[],
  prompts: { id: number; channel: string; sender: string | null; prompt: string; expiresAt: Date }[],
): string {
  const self = `/sandbox/handsets/${encodeURIComponent(msisdn)}`;
  const promptItems = prompts
    .map(
      (p) => `<li class="prompt"><p><b>${p.channel === 'ussd' ? 'USSD' : `SMS from ${escapeHtml(p.sender ?? '')}`}</b> ${escapeHtml(p.prompt)}</p>
        <form method="post" action="${self}/answer"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="prompt" value="${p.id}">
        <button name="answer" value="confirm">Confirm</button> <button name="answer" value="decline" class="decline">Decline</button></form></li>`,
    )
    .join('');
  const messageItems = messages
    .map((m) => `<li><span class="from">${escapeHtml(m.from)}</span> <time>${escapeHtml(m.receivedAt.slice(11, 19))}</time><p>${escapeHtml(m.text)}</p></li>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sandbox handset ${escapeHtml(msisdn)}</title><script src="/sandbox/assets/htmx.min.js" defer></script>
<style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:1rem auto;padding:0 1rem;background:#f4f4f6}
.phone{background:#fff;border-radius:1.5rem;padding:1rem 1.25rem;box-shadow:0 2px 12px #0002}h1{font-size:1.1rem;margin:.2rem 0 1rem}
h2{font-size:.9rem;text-transform:uppercase;color:#666;margin:1rem 0 .4rem}ul{list-style:none;padding:0;margin:0}
li{background:#eef3ff;border-radius:.8rem;padding:.5rem .75rem;margin:.4rem 0}li.prompt{background:#fff4dd}
p{margin:.2rem 0}.from{font-weight:600}time{color:#888;font-size:.8rem}.empty{color:#888;background:none;padding:0}
button{font:inherit;padding:.35rem .9rem;border-radius:.5rem;border:0;background:#1a7f37;color:#fff;cursor:pointer}button.decline{background:#b42318}</style>
</head><body hx-boost="true"><main class="phone"><h1>Handset ${escapeHtml(msisdn)}</h1>
<div id="live" hx-get="${self}" hx-trigger="every 1s" hx-select="#live" hx-swap="outerHTML" hx-disinherit="*">
<h2>Waiting for you</h2><ul>${promptItems || '<li class="empty">Nothing to answer</li>'}</ul>
<h2>Messages</h2><ul>${messageItems || '<li class="empty">No messages</li>'}</ul></div></main></body></html>`;
}
