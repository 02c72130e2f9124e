import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConsentRecord } from '../../core/preauthorization/ports.js';
import { type Msisdn, parseMsisdn } from '../../kernel/msisdn.js';
import { answerOutcome, handsetPage, handsetPath, revokeOutcome } from './handset-view.js';
import type { HandsetDeps } from './messaging.js';

const CSRF_COOKIE = 'handset_csrf';
const MAX_FORM_BYTES = 1024;
const HTMX = readFileSync(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'), 'utf8');
// Plain JavaScript, not compiled: read from src/ beside dist/, as the migrations are.
const MORPH = readFileSync(new URL('../../../../src/connectors/sandbox/assets/handset-morph.js', import.meta.url), 'utf8');
const ID = /^[0-9]{1,15}$/;

type PageRequest = FastifyRequest<{ Params: { msisdn: string }; Querystring: Record<string, string | undefined> }>;
type FormRequest = FastifyRequest<{ Params: { msisdn: string }; Body: Record<string, string> }>;
type CheckedForm = { msisdn: Msisdn; id: number; fields: Record<string, string> } | { status: number; text: string };

/**
 * The virtual handset page, GET /sandbox/handsets/{msisdn}: its SMS, the prompts waiting
 * for an answer (Confirm, Decline) and its standing consents (Revoke). Plain forms work
 * without JavaScript (POST, then 303 back to the page, which says what the answer did);
 * htmx refreshes the lists every second. Forms carry a double-submit CSRF token (a
 * SameSite=Strict cookie and the same value in the form).
 */
export function registerHandsetPage(app: FastifyInstance, deps: HandsetDeps): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: MAX_FORM_BYTES }, (_request, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  registerAsset(app, '/assets/htmx.min.js', HTMX);
  registerAsset(app, '/assets/handset-morph.js', MORPH);

  app.get('/handsets/:msisdn', async (request: PageRequest, reply) => {
    const msisdn = parseMsisdn(request.params.msisdn);
    if (!msisdn) return reply.code(400).type('text/plain').send('Not a mobile number');
    const csrf = csrfToken(request, reply);
    const [messages, prompts, consents] = await Promise.all([
      deps.inbox.inbox(msisdn),
      deps.prompts.waitingFor(msisdn),
      deps.consents.listFor(msisdn),
    ]);
    const outcome = await outcomeOf(request, msisdn, deps, consents);
    const now = deps.clock.now();
    return reply.type('text/html; charset=utf-8').send(handsetPage({ msisdn, csrf, now, messages, prompts, consents, outcome }));
  });

  app.post('/handsets/:msisdn/answer', async (request: FormRequest, reply) => {
    const form = checkedForm(request, 'prompt');
    if ('status' in form) return refuse(reply, form);
    const answer = form.fields.answer;
    if (answer !== 'confirm' && answer !== 'decline') return refuse(reply);
    const accepted = await deps.prompts.answer(form.id, form.msisdn, answer === 'confirm' ? 'confirmed' : 'declined');
    return reply.redirect(`${handsetPath(form.msisdn)}?${accepted ? 'answered' : 'ended'}=${form.id}`, 303);
  });

  app.post('/handsets/:msisdn/revoke', async (request: FormRequest, reply) => {
    const form = checkedForm(request, 'authorization');
    if ('status' in form) return refuse(reply, form);
    await deps.consents.revokeFor(form.msisdn, form.id);
    return reply.redirect(`${handsetPath(form.msisdn)}?revoked=${form.id}`, 303);
  });
}

function registerAsset(app: FastifyInstance, path: string, script: string): void {
  app.get(path, async (_request, reply) =>
    reply.type('application/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').send(script),
  );
}

/** The MSISDN and the numeric id field of a handset form whose CSRF token matches. */
function checkedForm(request: FormRequest, idField: string): CheckedForm {
  const msisdn = parseMsisdn(request.params.msisdn);
  const fields = request.body ?? {};
  const id = fields[idField] ?? '';
  if (!msisdn || !ID.test(id)) return { status: 400, text: 'Bad request' };
  if (!csrfMatches(request, fields.csrf)) return { status: 403, text: 'Reload the page and try again' };
  return { msisdn, id: Number(id), fields };
}

function refuse(reply: FastifyReply, error = { status: 400, text: 'Bad request' }): FastifyReply {
  return reply.code(error.status).type('text/plain').send(error.text);
}

/** What ?answered=, ?ended= or ?revoked= (set by the redirect after a form) reports. */
async function outcomeOf(request: PageRequest, msisdn: Msisdn, deps: HandsetDeps, consents: readonly ConsentRecord[]): Promise<string | null> {
  const { answered, ended, revoked } = request.query;
  const prompt = answered ?? ended;
  if (prompt !== undefined && ID.test(prompt)) {
    const summary = await deps.prompts.summary(Number(prompt), msisdn);
    return summary && answerOutcome(summary, answered !== undefined);
  }
  if (revoked !== undefined && ID.test(revoked)) {
    const consent = consents.find((c) => c.id === Number(revoked) && c.revokedAt !== null);
    return consent ? revokeOutcome(consent) : null;
  }
  return null;
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
