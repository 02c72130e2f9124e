import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { engines, startTestApp, type TestApp } from '../support/app.js';

/** GET / while the sandbox is on: a start page, not a JSON 404. */
for (const engine of engines()) {
  describe(`start page [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(engine, 'start_page');
    });
    after(() => t.close());

    it('is server-rendered HTML that says what the server offers, with working links and no external assets', async () => {
      const response = await t.app.http.inject({ method: 'GET', url: '/', headers: { host: 'dcb.example:8080' } });
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
      const html = response.body;
      assert.match(html, /^<!doctype html><html lang="en">/);
      assert.match(html, /<title>OpenDCB sandbox<\/title>/);
      for (const text of ['http://dcb.example:8080/RestV1.svc', 'http://dcb.example:8080/soapV1.svc', '<code>1000</code>', '<code>demo</code>', '<code>demo-password</code>', 'README']) {
        assert.ok(html.includes(text), text);
      }
      const links = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1] ?? '');
      for (const link of ['/soapV1.svc?wsdl', '/sandbox/handsets/%2B4790000000', '/sandbox/handsets/%2B4790000014', '/healthz', '/metrics']) {
        assert.ok(links.includes(link), `links ${link}`);
      }
      for (const link of links) {
        assert.ok(link.startsWith('/'), `${link} stays on this server`);
        assert.equal((await t.app.http.inject({ method: 'GET', url: link })).statusCode, 200, link);
      }
      assert.doesNotMatch(html, /<script|<link|src=|url\(/, 'no scripts, stylesheets or images to fetch');
    });

    it('escapes the Host header it echoes in the examples', async () => {
      const response = await t.app.http.inject({ method: 'GET', url: '/', headers: { host: 'a"><b>x' } });
      assert.doesNotMatch(response.body, /a"><b>x/);
      assert.match(response.body, /a&quot;&gt;&lt;b&gt;x/);
    });
  });
}
