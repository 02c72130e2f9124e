import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { DEMO_AUTH, startTestApp, type TestApp, uniqueReference } from '../support/app.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = '.tmp/screenshots';

/** The virtual handset page in Debian's Chromium: a subscriber confirms a payment by clicking. */
describe('sandbox handset page (Chromium)', () => {
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

  const pay = (msisdn: string, reference: string) =>
    fetch(`${baseUrl}/RestV1.svc/service/1000/pay`, {
      method: 'POST',
      headers: { authorization: DEMO_AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({
        PaymentDetails: { Msisdn: msisdn, Price: 4900, ServiceCode: '10002', ClientReference: reference, SecurityLevel: 2, EndUserInvoiceText: 'Concert ticket' },
      }),
    }).then(async (response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> }));

  it('shows the prompt, and a click on Confirm completes the Pay', async () => {
    const msisdn = '+4790000014';
    const reference = uniqueReference('click');
    const paying = pay(msisdn, reference);
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/sandbox/handsets/${encodeURIComponent(msisdn)}`);
    const prompt = page.locator('li.prompt', { hasText: 'Confirm payment of 49.00 NOK for Concert ticket?' });
    await prompt.waitFor({ timeout: 10_000 });
    await page.screenshot({ path: `${SCREENSHOTS}/handset-prompt.png`, fullPage: true });
    await prompt.getByRole('button', { name: 'Confirm' }).click();
    const paid = await paying;
    assert.equal(paid.status, 200);
    assert.equal(paid.body.ClientReference, reference);
    await page.locator('li.empty', { hasText: 'Nothing to answer' }).waitFor({ timeout: 5_000 });
    await page.screenshot({ path: `${SCREENSHOTS}/handset-answered.png`, fullPage: true });
    await page.close();
  });

  it('works without JavaScript, and refuses a form without the CSRF token', async () => {
    const msisdn = '+4790000014';
    const paying = pay(msisdn, uniqueReference('nojs'));
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const url = `${baseUrl}/sandbox/handsets/${encodeURIComponent(msisdn)}`;
    for (let i = 0; i < 50 && (await page.locator('li.prompt').count()) === 0; i++) {
      await page.goto(url);
      if ((await page.locator('li.prompt').count()) === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await page.getByRole('button', { name: 'Decline' }).click();
    await page.waitForURL(`${url}?answered=*`);
    assert.deepEqual((await paying).body, { Code: 6, Description: 'The subscriber declined the payment' });
    const forged = await fetch(`${url}/answer`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'prompt=1&answer=confirm&csrf=guess',
    });
    assert.equal(forged.status, 403);
    await context.close();
  });
});
