import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { DEMO_AUTH, startTestApp, type TestApp, uniqueReference } from '../support/app.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = join(tmpdir(), 'opendcb-screenshots');
const MANUAL = '+4790000014';

/**
 * Measured in the page, as strings (the tests compile without the DOM library): the
 * smallest contrast of any visible text against the background it is painted on
 * (WCAG 2 relative luminance), and every control smaller than 44×44 px.
 */
const MEASURE = `(() => {
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length < 4 || c[3] > 0) return c; }
    return [255, 255, 255];
  };
  const texts = [...document.querySelectorAll('body *')].filter((el) =>
    [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()) && el.getClientRects().length && getComputedStyle(el).clip !== 'rect(0px, 0px, 0px, 0px)');
  const contrasts = texts.map((el) => {
    const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))].sort((x, y) => y - x);
    return { text: el.textContent.trim().slice(0, 40), ratio: Math.round(((a + 0.05) / (b + 0.05)) * 100) / 100 };
  }).sort((x, y) => x.ratio - y.ratio);
  const targets = [...document.querySelectorAll('button, a[href]')].map((el) => {
    const r = el.getBoundingClientRect();
    return { text: el.textContent.trim(), width: Math.round(r.width), height: Math.round(r.height) };
  });
  return { contrasts, targets };
})()`;

interface Measured {
  contrasts: { text: string; ratio: number }[];
  targets: { text: string; width: number; height: number }[];
}

/** The sandbox's pages in Debian's Chromium: answering prompts, keyboard focus, accessibility. */
describe('sandbox handset page and start page (Chromium)', () => {
  let t: TestApp;
  let baseUrl: string;
  let browser: Browser;
  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install the chromium package (.ci/run does)`);
    t = await startTestApp('pglite', 'handset', { confirmationTimeoutMs: 30_000 });
    baseUrl = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless'] });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const handsetUrl = (msisdn: string) => `${baseUrl}/sandbox/handsets/${encodeURIComponent(msisdn)}`;
  const post = (path: string, body: unknown) =>
    fetch(`${baseUrl}/RestV1.svc/service/1000/${path}`, {
      method: 'POST',
      headers: { authorization: DEMO_AUTH, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (response) => {
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
    });
  const pay = (msisdn: string, reference: string) =>
    post('pay', { PaymentDetails: { Msisdn: msisdn, Price: 4900, ServiceCode: '10002', ClientReference: reference, SecurityLevel: 2, EndUserInvoiceText: 'Concert ticket' } });
  const screenshot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const assertAccessible = async (page: Page, name: string) => {
    const measured = (await page.evaluate(MEASURE)) as Measured;
    const lowest = measured.contrasts[0];
    assert.ok(lowest && lowest.ratio >= 4.5, `${name}: lowest contrast ${JSON.stringify(lowest)}`);
    assert.deepEqual(measured.targets.filter((target) => target.width < 44 || target.height < 44), [], `${name}: targets under 44×44 px`);
    console.log(`${name}: lowest contrast ${lowest.ratio} (${lowest.text}); targets ${JSON.stringify(measured.targets)}`);
    await screenshot(page, name);
    return measured;
  };

  it('keeps a focused Confirm button focused across refreshes, announces the prompt, and says what the answer did', async () => {
    const page = await browser.newPage();
    let refreshes = 0;
    const answers: (string | undefined)[] = [];
    page.on('request', (request) => {
      if (request.url() === handsetUrl(MANUAL)) refreshes += 1;
      if (request.url().endsWith('/answer')) answers.push(request.headers()['hx-request']);
    });
    await page.goto(handsetUrl(MANUAL));
    const live = page.locator('[aria-live="polite"]');
    assert.equal(await live.count(), 1, 'one polite live region');
    const paying = pay(MANUAL, uniqueReference('focus'));
    const prompt = page.locator('li.prompt', { hasText: 'Confirm payment of 49.00 NOK for Concert ticket?' });
    await prompt.waitFor({ timeout: 10_000 });
    assert.match(await live.innerText(), /1 prompt waits for you\. Latest: Confirm payment of 49\.00 NOK for Concert ticket\?/);

    const confirm = prompt.getByRole('button', { name: 'Confirm' });
    await confirm.focus();
    await page.evaluate('window.focusedButton = document.activeElement');
    const countdown = prompt.locator('[id^="expires-in-"]');
    const before = Number.parseInt(await countdown.innerText(), 10);
    const refreshesBefore = refreshes;
    await page.waitForTimeout(3_500);
    assert.ok(refreshes - refreshesBefore >= 3, `refreshed ${refreshes - refreshesBefore} times`);
    assert.equal(await page.evaluate('document.activeElement === window.focusedButton && window.focusedButton.isConnected'), true, 'the very same button keeps focus');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Confirm');
    const later = Number.parseInt(await countdown.innerText(), 10);
    assert.ok(later < before && later > 20, `the countdown went from ${before} s to ${later} s`);
    assert.match(await prompt.innerText(), /Expires in \d+ s, at \d\d:\d\d:\d\d UTC/);
    await screenshot(page, 'handset-prompt-focused');

    await page.keyboard.press('Enter');
    assert.equal((await paying).status, 200);
    const outcome = page.locator('#outcome');
    await outcome.waitFor({ timeout: 5_000 });
    assert.equal(await outcome.innerText(), 'You confirmed the payment of 49.00 NOK to Demo Direct Payment.');
    assert.equal(await page.evaluate('document.activeElement.id'), 'outcome', 'focus moves to what happened');
    assert.deepEqual(answers, ['true'], 'answered through htmx (a boosted form), not a page load');
    await page.locator('li.empty', { hasText: 'Nothing to answer' }).waitFor({ timeout: 5_000 });
    await screenshot(page, 'handset-answered');
    await page.close();
  });

  it('meets AA contrast and 44×44 px targets, and shows times with their zone', async () => {
    const msisdn = '+4790000088';
    assert.equal((await post('preauthorize/0', { Msisdn: msisdn, TransactionId: 'a11y', SecurityLevel: 1, TokenDescription: 'Newspaper' })).status, 200);
    await post('verificationcode', { Msisdn: msisdn });
    while ((await t.app.outbox.deliverDue()) > 0) {}
    const page = await browser.newPage({ viewport: { width: 420, height: 900 } });
    await page.goto(handsetUrl(msisdn));
    await page.locator('li.consent', { hasText: 'Newspaper' }).waitFor();
    await page.locator('#messages li', { hasText: 'Your verification code is' }).waitFor({ timeout: 10_000 });
    const paying = pay(MANUAL, uniqueReference('a11y'));
    const other = await browser.newPage({ viewport: { width: 420, height: 900 } });
    await other.goto(handsetUrl(MANUAL));
    await other.locator('li.prompt').waitFor({ timeout: 10_000 });

    for (const [view, name] of [[page, 'handset-consents'], [other, 'handset-prompt']] as const) {
      const { targets } = await assertAccessible(view, name);
      assert.ok(targets.some((target) => target.text === 'Revoke' || target.text === 'Confirm'));
    }
    const times = await page.locator('time').evaluateAll((elements) => elements.map((el) => [el.getAttribute('datetime'), el.textContent]));
    assert.ok(times.length >= 2, 'the message and the consent are timed');
    for (const [datetime, text] of times) {
      assert.ok(datetime && !Number.isNaN(Date.parse(datetime)) && datetime.endsWith('Z'), String(datetime));
      assert.match(String(text), /^(\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d UTC$/);
      assert.ok(datetime.includes(String(text).replace(' UTC', '').split(' ').at(-1) ?? '-'), `${text} is ${datetime}`);
    }
    await other.getByRole('button', { name: 'Decline' }).click();
    assert.equal((await paying).status, 403);
    await page.close();
    await other.close();
  });

  it('works without JavaScript: answers, says what the answer did, revokes a consent, and refuses forms without the CSRF token', async () => {
    const paying = pay(MANUAL, uniqueReference('nojs'));
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const url = handsetUrl(MANUAL);
    for (let i = 0; i < 50 && (await page.locator('li.prompt').count()) === 0; i++) {
      await page.goto(url);
      if ((await page.locator('li.prompt').count()) === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await page.getByRole('button', { name: 'Decline' }).click();
    await page.waitForURL(`${url}?answered=*`);
    assert.deepEqual((await paying).body, { Code: 6, Description: 'The subscriber declined the payment' });
    assert.equal(await page.locator('#outcome').innerText(), 'You declined the payment of 49.00 NOK to Demo Direct Payment.');
    await screenshot(page, 'handset-nojs-declined');

    assert.equal((await post('preauthorize/0', { Msisdn: MANUAL, TransactionId: 'nojs', SecurityLevel: 1, TokenDescription: 'Magazine' })).status, 200);
    await page.goto(url);
    await page.locator('li.consent', { hasText: 'Magazine' }).getByRole('button', { name: 'Revoke' }).click();
    await page.waitForURL(`${url}?revoked=*`);
    assert.match(await page.locator('#outcome').innerText(), /^You revoked the standing consent for Demo Direct Payment/);
    assert.equal(await page.locator('li.consent', { hasText: 'Magazine' }).count(), 0);

    for (const [path, body] of [['answer', 'prompt=1&answer=confirm&csrf=guess'], ['revoke', 'authorization=1&csrf=guess']] as const) {
      const forged = await fetch(`${url}/${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      assert.equal(forged.status, 403, path);
    }
    await context.close();
  });

  it('the start page links the handsets and meets the same contrast and target sizes', async () => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/`);
    assert.equal(await page.title(), 'OpenDCB sandbox');
    await assertAccessible(page, 'start-page');
    await page.getByRole('link', { name: MANUAL }).click();
    await page.waitForURL(handsetUrl(MANUAL));
    assert.equal(await page.locator('h1').innerText(), `Handset ${MANUAL}`);
    await page.close();
  });
});
