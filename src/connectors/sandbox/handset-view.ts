import type { ConfirmationSummary, WaitingConfirmation } from '../../core/confirmations/ports.js';
import type { ConsentRecord } from '../../core/preauthorization/ports.js';
import { escapeHtml } from '../../kernel/html.js';
import { formatMinor } from '../../kernel/money.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import type { SandboxInboxMessage } from './messaging.js';

/** Everything one rendering of the handset page shows. */
export interface HandsetView {
  readonly msisdn: Msisdn;
  readonly csrf: string;
  readonly now: Date;
  readonly messages: readonly SandboxInboxMessage[];
  readonly prompts: readonly WaitingConfirmation[];
  readonly consents: readonly ConsentRecord[];
  /** What the subscriber's last answer or revocation did, shown once after the redirect. */
  readonly outcome: string | null;
}

export function handsetPath(msisdn: Msisdn): string {
  return `/sandbox/handsets/${encodeURIComponent(msisdn)}`;
}

/**
 * The page. The region #live is fetched again every second and morphed into place
 * (assets/handset-morph.js), so every element that must survive a refresh (a focused
 * button, the live region) has a stable id. The outcome sits outside #live: a refresh
 * does not take it away. #live keeps its hx-select and hx-swap to itself, so the forms in
 * it are boosted as a plain page's are (hx-disinherit="*" would stop hx-boost too).
 */
export function handsetPage(view: HandsetView): string {
  const self = handsetPath(view.msisdn);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sandbox handset ${escapeHtml(view.msisdn)}</title>
<script src="/sandbox/assets/htmx.min.js" defer></script><script src="/sandbox/assets/handset-morph.js" defer></script>
<style>${STYLE}</style>
</head><body hx-boost="true"><main class="phone"><h1>Handset ${escapeHtml(view.msisdn)}</h1>
${view.outcome ? `<p id="outcome" class="outcome" role="status" tabindex="-1" autofocus>${escapeHtml(view.outcome)}</p>` : ''}
<div id="live" hx-get="${self}" hx-trigger="every 1s" hx-select="#live" hx-swap="morph" hx-ext="handset-morph" hx-disinherit="hx-select hx-swap">
${announcer(view)}
<section aria-labelledby="prompts-title"><h2 id="prompts-title">Waiting for you</h2>
<ul id="prompts">${view.prompts.map((p) => promptItem(p, view)).join('') || '<li class="empty" id="no-prompts">Nothing to answer</li>'}</ul></section>
<section aria-labelledby="consents-title"><h2 id="consents-title">Standing consents</h2>
<p class="hint">Services you let charge this phone without asking each time.</p>
<ul id="consents">${standingConsents(view)}</ul></section>
<section aria-labelledby="messages-title"><h2 id="messages-title">Messages</h2>
<ul id="messages">${view.messages.map(messageItem).join('') || '<li class="empty" id="no-messages">No messages</li>'}</ul></section>
</div>
<noscript><p><a href="${self}">Refresh</a> to see new prompts and messages.</p></noscript>
<p class="back"><a href="/">Sandbox start page</a></p></main></body></html>`;
}

/**
 * A polite live region, visually hidden: the visible lists are not announced, since the
 * countdowns in them change every second. Its two lines change only when a prompt or a
 * message comes or goes, and the morph leaves an unchanged line alone, so nothing is read
 * twice.
 */
function announcer(view: HandsetView): string {
  const latestPrompt = view.prompts.at(-1);
  const latestMessage = view.messages.at(-1);
  const prompts = latestPrompt
    ? `${view.prompts.length === 1 ? '1 prompt waits' : `${view.prompts.length} prompts wait`} for you. Latest: ${latestPrompt.prompt}`
    : 'Nothing to answer.';
  const messages = latestMessage ? `Latest message, from ${latestMessage.from}: ${latestMessage.text}` : 'No messages.';
  return `<div id="announcer" class="visually-hidden" aria-live="polite"><p id="announce-prompts">${escapeHtml(prompts)}</p><p id="announce-messages">${escapeHtml(messages)}</p></div>`;
}

function promptItem(p: WaitingConfirmation, view: HandsetView): string {
  const secondsLeft = Math.max(0, Math.ceil((p.expiresAt.getTime() - view.now.getTime()) / 1000));
  const origin = p.channel === 'ussd' ? 'USSD' : `SMS from ${escapeHtml(p.sender ?? '')}`;
  return `<li class="prompt" id="prompt-${p.id}"><p class="origin">${origin}</p><p id="prompt-text-${p.id}">${escapeHtml(p.prompt)}</p>
<p class="meta">Expires in <span id="expires-in-${p.id}">${secondsLeft} s</span>, at ${timeOf(p.expiresAt)}</p>
<form method="post" action="${handsetPath(view.msisdn)}/answer" id="answer-${p.id}">${csrfField(view)}<input type="hidden" name="prompt" value="${p.id}">
<button name="answer" value="confirm" id="confirm-${p.id}" aria-describedby="prompt-text-${p.id}">Confirm</button>
<button name="answer" value="decline" id="decline-${p.id}" class="decline" aria-describedby="prompt-text-${p.id}">Decline</button></form></li>`;
}

function standingConsents(view: HandsetView): string {
  const standing = view.consents.filter((c) => c.revokedAt === null);
  return standing.map((c) => consentItem(c, view)).join('') || '<li class="empty" id="no-consents">None</li>';
}

function consentItem(c: ConsentRecord, view: HandsetView): string {
  const how = c.consent === 'prompted' ? 'you agreed on this handset' : 'the merchant says you agreed; you were not asked here';
  return `<li class="consent" id="consent-${c.id}"><p class="origin" id="consent-service-${c.id}">${escapeHtml(c.serviceName)} <span class="meta">(service ${c.serviceId})</span></p>
<p>${c.description ? escapeHtml(c.description) : '<span class="meta">No description</span>'}</p>
<p class="meta">Consent: ${how}.</p><p class="meta">Issued ${timeOf(c.issuedAt, true)}</p>
<form method="post" action="${handsetPath(view.msisdn)}/revoke" id="revoke-form-${c.id}">${csrfField(view)}<input type="hidden" name="authorization" value="${c.id}">
<button id="revoke-${c.id}" class="decline" aria-describedby="consent-service-${c.id}">Revoke</button></form></li>`;
}

function messageItem(m: SandboxInboxMessage): string {
  return `<li id="message-${m.id}"><p><span class="origin">${escapeHtml(m.from)}</span> <span class="meta">${timeOf(new Date(m.receivedAt))}</span></p><p>${escapeHtml(m.text)}</p></li>`;
}

function csrfField(view: HandsetView): string {
  return `<input type="hidden" name="csrf" value="${escapeHtml(view.csrf)}">`;
}

/** A time in UTC, said so: "08:02:24 UTC" (with the date: "2025-01-02 08:02:24 UTC"). */
function timeOf(at: Date, withDate = false): string {
  const iso = at.toISOString();
  const shown = withDate ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : iso.slice(11, 19);
  return `<time datetime="${iso}">${shown} UTC</time>`;
}

/** "You confirmed the payment of 10.00 NOK to …": what an answer did, or why it came too late. */
export function answerOutcome(summary: ConfirmationSummary, accepted: boolean): string | null {
  const subject = summary.payment
    ? `the payment of ${formatMinor(summary.payment.amountMinor, summary.payment.currency)} ${summary.payment.currency} to ${summary.serviceName}`
    : `the standing consent for ${summary.serviceName}`;
  if (summary.status === 'waiting') return null;
  if (summary.status === 'expired') return `Too late: ${subject} was not answered in time.`;
  if (accepted) return `You ${summary.status} ${subject}.`;
  return `This prompt had already ended: ${subject} was ${summary.status}.`;
}

export function revokeOutcome(consent: ConsentRecord): string {
  return `You revoked the standing consent for ${consent.serviceName}: it can no longer charge this phone without asking.`;
}

// Colours meet WCAG AA (4.5:1 or more for all text; the lowest is white on the green
// button, 5.08:1) and every control is at least 44×44 px (test/browser/handset.test.ts
// measures both).
const STYLE = `body{font-family:system-ui,sans-serif;max-width:28rem;margin:1rem auto;padding:0 1rem;background:#f4f4f6;color:#1f2328;line-height:1.4}
.phone{background:#fff;border-radius:1.5rem;padding:1rem 1.25rem;box-shadow:0 2px 12px #0002}h1{font-size:1.15rem;margin:.2rem 0 1rem}
h2{font-size:.95rem;text-transform:uppercase;letter-spacing:.03em;color:#4a5059;margin:1.2rem 0 .4rem}ul{list-style:none;padding:0;margin:0}
li{background:#eef3ff;border-radius:.8rem;padding:.6rem .8rem;margin:.5rem 0}li.prompt{background:#fff4dd}li.consent{background:#e9f6ec}
p{margin:.2rem 0}.origin{font-weight:600}.meta,.hint{color:#4a5059;font-size:.9rem;font-weight:400}time{white-space:nowrap}.empty{color:#4a5059;background:none;padding:0}
form{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.5rem}
button{font:inherit;font-weight:600;min-height:44px;min-width:44px;padding:.5rem 1.1rem;border-radius:.5rem;border:0;background:#1a7f37;color:#fff;cursor:pointer}
button.decline{background:#b42318}button:focus-visible,a:focus-visible,.outcome:focus-visible{outline:3px solid #0b5cad;outline-offset:2px}
.outcome{background:#1f2328;color:#fff;border-radius:.8rem;padding:.7rem .9rem;margin:0 0 .8rem}
a{color:#0b5cad;display:inline-block;min-height:44px;line-height:44px}.back{margin:1rem 0 0}
.visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}`;
