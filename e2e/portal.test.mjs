// End-to-end tests of the portal in a real headless Chromium (Debian's `chromium`, driven by
// playwright-core). The server is the real binary on a fresh SQLite file with the demo data.
// Run by `cargo test` (crates/cli/tests/portal.rs), which passes SWITCHBOARD_BIN and CHROMIUM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const BIN = process.env.SWITCHBOARD_BIN;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = process.env.ARTIFACTS || path.resolve('..', 'test-artifacts');
const PASSWORD = 'switchboard-demo';
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let server, base, browser, dir;

before(async () => {
  assert.ok(BIN, 'SWITCHBOARD_BIN must name the switchboard binary');
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(path.join(tmpdir(), 'switchboard-e2e-'));
  server = spawn(BIN, ['serve', '--demo', '--listen', '127.0.0.1:0',
    '--database-url', `sqlite://${dir}/portal.db?mode=rwc`], {
    env: { ...process.env, SWITCHBOARD_BLOB_DIR: `${dir}/blobs`, RUST_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  base = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 120_000);
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/[0-9.:]+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    server.on('exit', (code) => reject(new Error(`server exited (${code}):\n${out}`)));
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  server?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function login(user, { viewport, password, bypassCSP } = {}) {
  const context = await browser.newContext({ viewport: viewport || { width: 1280, height: 900 }, bypassCSP: !!bypassCSP });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Login').fill(user);
  await page.getByLabel('Password').fill(password || PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForSelector('main h1');
  return { context, page };
}

function tab(page, name) {
  return page.locator('nav.tabs').getByRole('link', { name, exact: true });
}

async function tabs(page) {
  return page.locator('nav.tabs a').allInnerTexts();
}

async function layoutNames(page) {
  return page.locator('nav.layouts a').allInnerTexts();
}

async function status(page, url) {
  const response = await page.goto(`${base}${url}`);
  return response.status();
}

test('every scope lands on its layout with its tabs, in order', async () => {
  const cases = [
    ['107@acme.example', 'basic_user', '/my-account/home', 7, 'Home', null],
    ['101@acme.example', 'office_manager', '/manage-organization/home', 10, 'Home', 'Manage Organization'],
    ['102@acme.example', 'site_manager', '/manage-organization/home', 6, 'Home', 'Manage Organization'],
    ['105@acme.example', 'call_center_agent', '/my-account/call-center', 3, 'Call Center', null],
    ['104@acme.example', 'call_center_supervisor', '/manage-call-center/call-center', 5, 'Call Center', 'Manage Call Center'],
    ['109@acme.example', 'simple_user', '/my-account/home', 5, 'Home', null],
    ['100@voiceco.example', 'reseller', '/global/home', 5, 'Home', 'Global'],
  ];
  for (const [user, scope, landing, count, first, layout] of cases) {
    const { context, page } = await login(user);
    assert.equal(new URL(page.url()).pathname, landing, `${user} lands on ${landing}`);
    const names = await tabs(page);
    assert.equal(names.length, count, `${user}: ${names.join(', ')}`);
    assert.equal(names[0], first);
    if (layout) assert.equal(await page.locator('nav.layouts a[aria-current="page"]').innerText(), layout);
    await page.screenshot({ path: path.join(ARTIFACTS, `landing-${scope}.png`), fullPage: true });
    await context.close();
  }
  // The supervisor's My Account: 7 tabs, Call Center first; the switcher offers both layouts.
  const { context, page } = await login('104@acme.example');
  assert.deepEqual(await layoutNames(page), ['Manage Call Center', 'My Account']);
  await page.getByRole('link', { name: 'My Account' }).click();
  const mine = await tabs(page);
  assert.equal(mine.length, 7);
  assert.equal(mine[0], 'Call Center');
  await context.close();
  // The Office Manager's three layouts, in the switcher's order.
  const om = await login('101@acme.example');
  assert.deepEqual(await layoutNames(om.page), ['Manage Organization', 'My Account', 'Account Preferences']);
  assert.deepEqual(await tabs(om.page), ['Home', 'Call Center', 'Users', 'Conferences', 'Auto Attendants',
    'Call Queues', 'Time Frames', 'Music On Hold', 'Call History', 'Inventory']);
  await om.page.setViewportSize({ width: 390, height: 844 });
  await om.page.screenshot({ path: path.join(ARTIFACTS, 'landing-office_manager-phone.png'), fullPage: true });
  await om.context.close();
});

// axe-core's violations on the page as it is (the portal's CSP keeps inline scripts out: the
// context that runs this bypasses it).
async function axeViolations(page) {
  await page.addScriptTag({ content: AXE });
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return found;
}

test('axe finds nothing on any page of any scope', async () => {
  const logins = ['100@platform.example', '100@voiceco.example', '101@acme.example', '102@acme.example',
    '104@acme.example', '105@acme.example', '107@acme.example', '109@acme.example'];
  const problems = [];
  let pages = 0;
  for (const user of logins) {
    const { context, page } = await login(user, { bypassCSP: true });
    const layouts = await page.locator('nav.layouts a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const layout of layouts.length ? layouts : [new URL(page.url()).pathname]) {
      await page.goto(`${base}${layout}`);
      const hrefs = await page.locator('nav.tabs a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      for (const href of hrefs) {
        await page.goto(`${base}${href}`);
        pages += 1;
        for (const v of await axeViolations(page)) problems.push(`${user} ${href}: ${v}`);
      }
    }
    // Beyond the tabs: one of each kind of detail page and form this login reaches.
    const deeper = {
      '101@acme.example': ['/manage-organization/users/107', '/manage-organization/users/107/recycle',
        '/manage-organization/call-queues/600', '/manage-organization/users/107/phones/1/sip-password',
        '/manage-organization/nothing-here'],
      '104@acme.example': ['/manage-call-center/call-queues/600', '/manage-call-center/reports'],
    }[user] || [];
    for (const href of deeper) {
      await page.goto(`${base}${href}`);
      pages += 1;
      for (const v of await axeViolations(page)) problems.push(`${user} ${href}: ${v}`);
    }
    await context.close();
  }
  const anonymous = await browser.newContext({ bypassCSP: true });
  const page = await anonymous.newPage();
  await page.goto(`${base}/login`);
  for (const v of await axeViolations(page)) problems.push(`login page: ${v}`);
  await anonymous.close();
  assert.ok(pages > 60, `only ${pages} pages were checked`);
  assert.deepEqual(problems, []);
});

test('a basic user sets an answering rule, and bad input is shown next to the field', async () => {
  const { context, page } = await login('107@acme.example');
  // Every frame of this user already has a rule: make one for the new rule first.
  await tab(page, 'Time Frames').click();
  await page.getByLabel('Name').fill('Focus time');
  await page.getByLabel('Mon', { exact: true }).check();
  await page.getByLabel('From', { exact: true }).fill('09:00');
  await page.getByLabel('To', { exact: true }).fill('10:00');
  await page.getByRole('button', { name: 'Create time frame' }).click();
  await page.waitForSelector('.notice');
  await tab(page, 'Answering Rules').click();
  const before = await page.locator('main table tbody tr').count();
  await page.getByLabel('When').selectOption({ label: 'Focus time' });
  await page.getByLabel('What happens').selectOption('forward_always');
  await page.getByLabel('Forward to, or the numbers').fill('not a number');
  await page.getByRole('button', { name: 'Add rule' }).click();
  await page.waitForSelector('.alert');
  assert.match(await page.locator('.field.invalid .error').first().innerText(), /\S/);
  assert.equal(await page.locator('main table tbody tr').count(), before, 'nothing stored');
  await page.getByLabel('Forward to, or the numbers').fill('+12125550100');
  await page.getByRole('button', { name: 'Add rule' }).click();
  await page.waitForSelector('.notice');
  assert.equal(await page.locator('main table tbody tr').count(), before + 1);
  assert.ok(await page.getByText('Forward every call to +12125550100').isVisible());
  await context.close();
});

test('an agent toggles its availability', async () => {
  const { context, page } = await login('105@acme.example');
  const first = await page.locator('#availability').innerText();
  const button = first === 'Available' ? 'Become unavailable' : 'Become available';
  await page.getByRole('button', { name: button }).click();
  await page.waitForSelector('.notice');
  const now = await page.locator('#availability').innerText();
  assert.notEqual(now, first);
  assert.equal(now, first === 'Available' ? 'Unavailable' : 'Available');
  await context.close();
});

test('a supervisor adds an agent to its queue and cannot open another queue', async () => {
  const { context, page } = await login('104@acme.example');
  await tab(page, 'Call Queues').click();
  await page.getByRole('link', { name: '600' }).click();
  await page.getByLabel("Agent's extension").fill('107');
  await page.getByRole('button', { name: 'Add agent' }).click();
  await page.waitForSelector('.notice');
  assert.ok(await page.locator('main table tbody tr', { hasText: '107' }).first().isVisible());
  // 602 (Billing) is not one of its queues: it looks like a page that does not exist.
  assert.equal(await status(page, '/manage-call-center/call-queues/602'), 404);
  assert.equal(await page.locator('main h1').innerText(), 'No such page');
  assert.equal(await status(page, '/manage-call-center/call-queues/999'), 404);
  await context.close();
});

test('a site manager edits a user of its site and gets 404 for another site', async () => {
  const { context, page } = await login('102@acme.example');
  await tab(page, 'Users').click();
  await page.getByRole('link', { name: '107', exact: true }).click();
  await page.getByLabel('Caller ID').fill('+12125550107');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForSelector('.notice');
  assert.equal(await page.getByLabel('Caller ID').inputValue(), '+12125550107');
  assert.equal(await status(page, '/manage-organization/users/108'), 404);
  assert.equal(await page.locator('main h1').innerText(), 'No such page');
  await context.close();
});

test('an office manager creates a shared time frame, changes a supervisor, hides a tab', async () => {
  const { context, page } = await login('101@acme.example');
  await tab(page, 'Time Frames').click();
  await page.getByLabel('Name').fill('Lunch break');
  for (const day of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri']) await page.getByLabel(day, { exact: true }).check();
  await page.getByLabel('From', { exact: true }).fill('12:00');
  await page.getByLabel('To', { exact: true }).fill('13:00');
  await page.getByRole('button', { name: 'Create time frame' }).click();
  await page.waitForSelector('.notice');
  assert.ok(await page.locator('main table tbody tr', { hasText: 'Lunch break' }).isVisible());

  // Give the supervisor queue 602 too; its reach follows at once.
  await tab(page, 'Call Center').click();
  const form = page.locator('#supervisor-104');
  await form.getByLabel('602 Billing').check();
  await form.getByRole('button', { name: 'Save' }).click();
  await page.waitForSelector('.notice');
  assert.ok(await page.locator('#supervisor-104').getByLabel('602 Billing').isChecked());
  const sup = await login('104@acme.example');
  assert.equal(await status(sup.page, '/manage-call-center/call-queues/602'), 200);
  await sup.context.close();

  // Hide Contacts from basic users.
  await page.goto(`${base}/manage-organization/home/portal-tabs`);
  await page.getByRole('group', { name: 'Basic User' }).getByLabel('hide Contacts').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForSelector('.notice');
  const basic = await login('107@acme.example');
  const names = await tabs(basic.page);
  assert.equal(names.length, 6);
  assert.ok(!names.includes('Contacts'));
  assert.equal(await status(basic.page, '/my-account/contacts'), 404);
  await basic.context.close();
  // Other scopes keep theirs.
  const agent = await login('104@acme.example');
  await agent.page.getByRole('link', { name: 'My Account' }).click();
  assert.ok((await tabs(agent.page)).includes('Contacts'));
  await agent.context.close();
  await context.close();
});

test('account preferences ask for the password again', async () => {
  const { context, page } = await login('101@acme.example');
  await page.getByRole('link', { name: 'Account Preferences' }).click();
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.ok(await page.locator('.field.invalid').isVisible());
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForSelector('main table');
  assert.equal(await page.locator('main h1').innerText(), 'Invoices');
  // The printable invoice is the portal's own page, in the viewer's language.
  const printable = await page.locator('main table tbody tr').first().getByRole('link', { name: 'Printable' }).getAttribute('href');
  await page.goto(`${base}${printable}`);
  assert.match(await page.locator('main h1').innerText(), /^Invoice /);
  assert.match(await page.locator('main table tfoot').innerText(), /Total\s+\$[0-9,]+\.\d\d/);
  await page.goto(`${base}/account-preferences/invoices`);
  await page.locator('header form.languages').getByRole('button', { name: 'Français' }).click();
  await page.waitForFunction(() => document.documentElement.lang === 'fr-CA');
  await page.goto(`${base}${printable}`);
  assert.match(await page.locator('main h1').innerText(), /^Facture /);
  assert.match(await page.locator('main table tfoot').innerText(), /Total\s+[0-9\u00a0]+,\d\d\u00a0\$/);
  assert.match(await page.locator('main p:not(.brand)').first().innerText(), /Émise le .* échéance le .*\nPériode du .* au .*\nStatut : /);
  // Back to English for the other tests.
  await page.goto(`${base}/account-preferences/invoices`);
  await page.locator('header form.languages').getByRole('button', { name: 'English' }).click();
  await page.waitForFunction(() => document.documentElement.lang === 'en-US');
  await context.close();
});

test('impersonating shows a banner with a way back', async () => {
  const { context, page } = await login('101@acme.example');
  await page.goto(`${base}/manage-organization/users/107`);
  await page.getByRole('button', { name: 'Act as this user' }).click();
  await page.waitForSelector('.impersonating');
  assert.match(await page.locator('.impersonating').innerText(), /acting as\s+107@acme\.example/);
  await page.getByRole('button', { name: 'Return to my account' }).click();
  await page.waitForSelector('nav.layouts');
  assert.equal(await page.locator('.impersonating').count(), 0);
  assert.equal(new URL(page.url()).pathname, '/manage-organization/home');
  await context.close();
});

test('a reseller creates a domain requiring two-factor login of managers; its office manager enrols, then works', async () => {
  const { context, page } = await login('100@voiceco.example');
  await tab(page, 'Domains').click();
  await page.getByLabel('Domain name').fill('newco.example');
  await page.getByLabel('Description').fill('NewCo Ltd');
  await page.getByLabel('Time zone').fill('Europe/London');
  await page.getByLabel('Extension').fill('101');
  await page.getByLabel('First name').fill('Nora');
  await page.getByLabel('Last name').fill('Newman');
  await page.getByLabel('Password', { exact: true }).fill('a-long-enough-password');
  await page.getByLabel(/must log in with two-factor login/).check();
  await page.getByRole('button', { name: 'Create domain' }).click();
  await page.waitForSelector('.notice');
  assert.ok(await page.locator('main table tbody tr', { hasText: 'newco.example' }).isVisible());
  await context.close();
  const om = await browser.newContext();
  const p = await om.newPage();
  await p.goto(`${base}/login`);
  await p.getByLabel('Login').fill('101@newco.example');
  await p.getByLabel('Password').fill('a-long-enough-password');
  await p.getByRole('button', { name: 'Log in' }).click();
  // The domain requires two-factor login of its managers: enrolment first, nothing else.
  await p.waitForSelector('main h1');
  assert.equal(new URL(p.url()).pathname, '/two-factor');
  assert.match(await p.locator('main').innerText(), /requires two-factor login/);
  await p.goto(`${base}/manage-organization/users`);
  assert.equal(new URL(p.url()).pathname, '/two-factor');
  await p.getByLabel('Password').fill('a-long-enough-password');
  await p.getByRole('button', { name: 'Continue' }).click();
  await p.getByRole('button', { name: 'Set up an authenticator app' }).click();
  const secret = (await p.locator('code.secret').innerText()).trim();
  await p.getByLabel('Code from the app').fill(totp(secret));
  await p.getByRole('button', { name: 'Turn on' }).click();
  await p.waitForSelector('ul.codes');
  await p.goto(`${base}/`);
  await p.waitForSelector('nav.tabs');
  assert.equal(new URL(p.url()).pathname, '/manage-organization/home');
  await om.close();
});

test('a form posted from another site is refused; the session cookie is HttpOnly', async () => {
  const { context, page } = await login('108@acme.example');
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'sb_session');
  assert.ok(session, 'a session cookie');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Lax');
  assert.ok(!(await page.evaluate(() => document.cookie)).includes('sb_session'));

  await page.goto(`${base}/my-account/answering-rules`);
  const rules = await page.locator('main table tbody tr').count();
  // Another origin on the same host (so the browser even sends the cookie): only the CSRF and
  // origin checks stand in the way.
  const evil = createServer((req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<form id="f" method="post" action="${base}/my-account/answering-rules">
      <input name="action.kind" value="forward_always"><input name="action.to" value="+19005550199">
      </form><script>document.getElementById('f').submit()</script>`);
  });
  await new Promise((r) => evil.listen(0, '127.0.0.1', r));
  const response = page.waitForResponse((r) => r.url().startsWith(`${base}/my-account/answering-rules`) && r.request().method() === 'POST');
  await page.goto(`http://127.0.0.1:${evil.address().port}/`);
  assert.equal((await response).status(), 403);
  evil.close();
  await page.goto(`${base}/my-account/answering-rules`);
  assert.equal(await page.locator('main table tbody tr').count(), rules, 'nothing was stored');
  await context.close();
});

test('an expired session goes to login and then back where the user was', async () => {
  const context = await browser.newContext();
  const url = new URL(base);
  await context.addCookies([{ name: 'sb_session', value: 'sb_at_expired', domain: url.hostname, path: '/' }]);
  const page = await context.newPage();
  await page.goto(`${base}/my-account/contacts?q=Reed`);
  assert.equal(new URL(page.url()).pathname, '/login');
  await page.getByLabel('Login').fill('104@acme.example');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForSelector('main h1');
  const there = new URL(page.url());
  assert.equal(there.pathname + there.search, '/my-account/contacts?q=Reed');
  assert.equal(await status(page, '/my-account/no-such-tab'), 404);
  await context.close();
});

// RFC 6238 with SHA-1, six digits, 30-second steps: what an authenticator app shows.
function totp(secret, at = Date.now() / 1000) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/=+$/, '')) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

async function loginWithCode(user, code) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Login').fill(user);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForSelector('main h1');
  assert.equal(await page.locator('main h1').innerText(), 'Enter your code');
  await page.getByLabel('Code', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForSelector('main h1');
  return { context, page };
}

test('two-factor login: enrol with the QR code, log in with a code and with a recovery code', async () => {
  const user = '108@globex.example';
  const { context, page } = await login(user);
  await page.getByRole('link', { name: 'Two-factor login' }).click();
  assert.match(await page.locator('main').innerText(), /Off\./);
  // Changing how one logs in asks for the password again.
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await page.waitForSelector('figure.qr svg');
  assert.ok(await page.locator('figure.qr svg').isVisible());
  await page.screenshot({ path: path.join(ARTIFACTS, 'two-factor-enrol.png'), fullPage: true });
  const secret = (await page.locator('code.secret').innerText()).trim();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  // A wrong code is refused next to its field; the right one turns it on.
  await page.getByLabel('Code from the app').fill('12345');
  await page.getByRole('button', { name: 'Turn on' }).click();
  assert.ok(await page.locator('.field.invalid').isVisible());
  await page.getByLabel('Code from the app').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.waitForSelector('ul.codes');
  const codes = (await page.locator('ul.codes li').allInnerTexts()).map((c) => c.trim());
  assert.equal(codes.length, 10);
  await context.close();

  // A recovery code in place of the app's code.
  const second = await loginWithCode(user, codes[0]);
  assert.equal(new URL(second.page.url()).pathname, '/my-account/home');
  // Re-authentication asks for the code too: the password alone is not enough.
  await second.page.goto(`${base}/two-factor`);
  await second.page.getByLabel('Password').fill(PASSWORD);
  await second.page.getByRole('button', { name: 'Continue' }).click();
  assert.ok(await second.page.locator('.field.invalid').isVisible());
  await second.page.getByLabel('Password').fill(PASSWORD);
  await second.page.getByLabel(/Code from your authenticator app/).fill(codes[1]);
  await second.page.getByRole('button', { name: 'Continue' }).click();
  await second.page.getByRole('button', { name: 'Turn two-factor login off' }).waitFor();
  assert.match(await second.page.locator('main').innerText(), /Recovery codes left: 8/);
  await second.context.close();

  // A used recovery code is refused; the app's next code works.
  const third = await loginWithCode(user, codes[0]);
  assert.equal(await third.page.locator('main h1').innerText(), 'Enter your code');
  assert.ok(await third.page.locator('.alert').isVisible());
  await third.page.getByLabel('Code', { exact: true }).fill(totp(secret, Date.now() / 1000 + 30));
  await third.page.getByRole('button', { name: 'Log in' }).click();
  await third.page.waitForSelector('nav.tabs');
  assert.equal(new URL(third.page.url()).pathname, '/my-account/home');
  await third.context.close();

  // Phone and codes lost: the Office Manager resets it from the user's page.
  const om = await login('101@globex.example');
  await om.page.goto(`${base}/manage-organization/users/108`);
  await om.page.getByLabel('Your password').fill(PASSWORD);
  await om.page.getByRole('button', { name: 'Reset two-factor login' }).click();
  await om.page.waitForSelector('.notice');
  assert.equal(await om.page.getByRole('button', { name: 'Reset two-factor login' }).count(), 0);
  await om.context.close();
  const after = await login(user);
  assert.equal(new URL(after.page.url()).pathname, '/my-account/home');
  await after.context.close();
});

test('times are on the viewer\'s clock with the zone named; reports open on today; the audit log is newest first and filters', async () => {
  const { context, page } = await login('104@acme.example');
  await page.goto(`${base}/manage-call-center/call-history`);
  const first = page.locator('main table tbody tr td time').first();
  // The exact instant is kept in datetime; the text is local with the zone's abbreviation.
  assert.match(await first.innerText(), /^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d:\d\d [AP]M E[SD]T$/);
  assert.match(await first.getAttribute('datetime'), /Z$/);
  assert.match(await page.locator('main').innerText(), /on the America\/New_York clock/);
  await page.goto(`${base}/manage-call-center/reports`);
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(new Date());
  assert.equal(await page.getByLabel('From day').inputValue(), today);
  assert.equal(await page.getByLabel('To day').inputValue(), today);
  await context.close();

  const admin = await login('100@platform.example');
  await admin.page.goto(`${base}/global/audit-log`);
  const times = await admin.page.locator('main table tbody tr td:first-child time').evaluateAll(
    (ts) => ts.map((t) => Date.parse(t.getAttribute('datetime'))));
  assert.ok(times.length > 5);
  for (let i = 1; i < times.length; i++) assert.ok(times[i - 1] >= times[i], 'newest first');
  await admin.page.getByLabel('Change').selectOption({ label: 'Logins and sessions' });
  await admin.page.getByRole('button', { name: 'Filter' }).click();
  await admin.page.waitForURL(/action=session/);
  const whats = await admin.page.locator('main table tbody tr td:nth-child(3) code').allInnerTexts();
  assert.ok(whats.length > 0 && whats.every((w) => w.startsWith('session.')), whats.join());
  await admin.context.close();
});

test('a refused delete says why; a mistyped filter keeps the page; error pages keep the tabs; charts are legible', async () => {
  const { context, page } = await login('101@acme.example');
  // "Business hours" is used by an answering rule and the auto attendant.
  await page.goto(`${base}/manage-organization/time-frames/1/delete`);
  await page.locator('main button.danger').click();
  await page.waitForSelector('main .alert');
  assert.match(await page.locator('main .alert').innerText(), /^Not deleted\. .*in use by .*auto attendant Main menu/);
  assert.equal(await status(page, '/manage-organization/users/999'), 404);
  assert.ok(await page.locator('nav.tabs').isVisible(), 'a missing page keeps the tab bar');
  await context.close();

  const sup = await login('104@acme.example');
  assert.equal(await status(sup.page, '/manage-call-center/reports?from=2026-13-01'), 422);
  assert.equal(await sup.page.locator('main h1').innerText(), 'Reports');
  assert.match(await sup.page.locator('main .alert').innerText(), /^From day: “2026-13-01” was not taken/);
  await sup.page.goto(`${base}/manage-call-center/reports?from=2026-11-01`);
  const tables = await sup.page.locator('main table').allInnerTexts();
  assert.ok(tables.some((t) => t.includes('600 Sales')) && tables.some((t) => t.includes('105 Ava Adams')), 'names beside extensions');
  const sizes = await sup.page.locator('figure.chart text.tick').evaluateAll((ts) => ts.map((t) => t.getBoundingClientRect().height));
  assert.ok(sizes.length > 10 && sizes.every((h) => h >= 11), `tick heights ${sizes}`);
  await sup.page.screenshot({ path: path.join(ARTIFACTS, 'report.png'), fullPage: true });
  await sup.page.setViewportSize({ width: 390, height: 844 });
  const phone = await sup.page.locator('figure.chart text.tick').evaluateAll((ts) => ts.map((t) => t.getBoundingClientRect().height));
  assert.ok(phone.every((h) => h >= 11), `tick heights on a phone ${phone}`);
  await sup.context.close();
});

test('my profile: a user picks its own time zone and language and changes its password', async () => {
  const { context, page } = await login('103@globex.example');
  await page.getByRole('link', { name: 'My profile' }).click();
  await page.getByLabel('Time zone').selectOption('Europe/Paris');
  await page.getByLabel('Language').selectOption('fr-CA');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForSelector('.notice');
  // From now on the portal speaks the user's language, whatever the browser's.
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr-CA');
  assert.equal(await page.getByLabel('Fuseau horaire').inputValue(), 'Europe/Paris');
  assert.equal(await page.getByLabel('Langue').inputValue(), 'fr-CA');
  await page.goto(`${base}/my-account/call-history`);
  assert.match(await page.locator('main table tbody tr td time').first().innerText(), / CET$/);
  assert.match(await page.locator('main').innerText(), /dans le fuseau Europe\/Paris/);
  // A wrong current password is named under its field, in the user's language, and nothing changes.
  await page.goto(`${base}/profile`);
  await page.getByLabel('Mot de passe actuel').fill('not-my-password');
  await page.getByLabel('Nouveau mot de passe (au moins 10 caractères)').fill('a-new-password-103');
  await page.getByLabel('Nouveau mot de passe (de nouveau)').fill('a-new-password-103');
  await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
  assert.equal(await page.locator('#f-current_password-error').innerText(), 'ce n\'est pas votre mot de passe actuel');
  assert.equal(await page.getByLabel('Mot de passe actuel').inputValue(), '', 'a password is never sent back');
  await page.getByLabel('Mot de passe actuel').fill(PASSWORD);
  await page.getByLabel('Nouveau mot de passe (au moins 10 caractères)').fill('a-new-password-103');
  await page.getByLabel('Nouveau mot de passe (de nouveau)').fill('a-new-password-103');
  await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
  // Every session of the user ends with its old password, this one too.
  await page.waitForURL(/\/login\?password=changed/);
  // The login page that follows speaks the user's language too.
  assert.match(await page.locator('.notice').innerText(), /connectez-vous avec le nouveau/);
  await context.close();
  const again = await login('103@globex.example', { password: 'a-new-password-103' });
  assert.doesNotMatch(again.page.url(), /login/);
  await again.context.close();
});

test('voicemail: a user marks a message read, moves it to Saved and back', async () => {
  const { context, page } = await login('107@acme.example');
  await tab(page, 'Messages').click();
  const row = page.locator('main table tbody tr', { hasText: 'Olivia Price' });
  await row.getByRole('button', { name: 'Mark read' }).click();
  await page.waitForSelector('.notice');
  assert.ok(await row.getByRole('button', { name: 'Mark unread' }).isVisible());
  await row.getByLabel('Folder to move the message to').selectOption({ label: 'Saved' });
  await row.getByRole('button', { name: 'Move' }).click();
  await page.waitForSelector('.notice');
  assert.match(await row.locator('td').nth(2).innerText(), /^Saved/);
  await row.getByLabel('Folder to move the message to').selectOption({ label: 'New' });
  await row.getByRole('button', { name: 'Move' }).click();
  await page.waitForSelector('.notice');
  assert.match(await row.locator('td').nth(2).innerText(), /^New/);
  await context.close();
});

test('answering rules: reordered, and which one applies at a chosen time', async () => {
  const { context, page } = await login('107@globex.example');
  await tab(page, 'Answering Rules').click();
  const whens = async () => page.locator('main table tbody tr td:nth-child(2)').allInnerTexts();
  const first = await whens();
  assert.ok(first.length >= 2, `rules: ${first}`);
  await page.locator('main table tbody tr').nth(1).getByRole('button', { name: 'Move up' }).click();
  await page.waitForSelector('.notice');
  const swapped = await whens();
  assert.deepEqual(swapped.slice(0, 2), [first[1], first[0]]);
  assert.deepEqual(swapped.slice(2), first.slice(2));
  const orders = await page.locator('main table tbody tr td:first-child').allInnerTexts();
  assert.deepEqual(orders, orders.map((_, i) => String(i + 1)), 'shown as 1, 2, 3 …');
  // A Sunday at 03:00 local: outside business hours.
  await page.getByLabel(/Which rule applies at/).fill('2026-03-08T03:00');
  await page.getByRole('button', { name: 'Try' }).click();
  await page.waitForURL(/at=2026-03-08T03/);
  assert.match(await page.locator('main p[role=status]').innerText(), /^At Mar 8, 2026, 3:00:00 AM CET: /);
  await context.close();
});

test('"New user" is offered only where the domain lets its Office Managers manage users', async () => {
  for (const [user, offered] of [['101@acme.example', true], ['101@globex.example', false]]) {
    const { context, page } = await login(user);
    await tab(page, 'Users').click();
    assert.equal(await page.getByRole('heading', { name: 'New user' }).count(), offered ? 1 : 0, user);
    await page.getByRole('link', { name: '107', exact: true }).click();
    assert.equal(await page.getByRole('link', { name: 'Delete' }).count() > 0, offered, `${user} deletes`);
    await context.close();
  }
});

test('a manager reads a user\'s answering rules and voicemail on the user\'s page', async () => {
  const { context, page } = await login('102@acme.example');
  await page.goto(`${base}/manage-organization/users/107`);
  assert.ok(await page.getByRole('heading', { name: 'Answering rules' }).isVisible());
  const rules = page.locator('main table', { has: page.getByRole('columnheader', { name: 'What happens' }) });
  assert.ok((await rules.locator('tbody tr').count()) >= 1);
  assert.match(await page.locator('main').innerText(), /\d+ new, \d+ saved, \d+ in the trash; \d+ unread\./);
  await context.close();
});

test('a new SIP password is asked for first once the phone has one', async () => {
  const { context, page } = await login('109@acme.example');
  await tab(page, 'Phones').click();
  // No password yet: issued at once, shown this once.
  await page.locator('main').getByRole('button', { name: 'New SIP password' }).first().click();
  await page.waitForSelector('#sip-password');
  const first = await page.locator('#sip-password').innerText();
  await page.getByRole('link', { name: 'Back' }).click();
  // Now it would end that password: a question first, and Cancel changes nothing.
  await page.locator('main').getByRole('link', { name: 'New SIP password' }).first().click();
  assert.match(await page.locator('main h1').innerText(), /^New SIP password for .*\?$/);
  await page.getByRole('link', { name: 'Cancel' }).click();
  assert.equal(new URL(page.url()).pathname, '/my-account/phones');
  await page.locator('main').getByRole('link', { name: 'New SIP password' }).first().click();
  await page.getByRole('button', { name: 'Issue a new password' }).click();
  await page.waitForSelector('#sip-password');
  assert.notEqual(await page.locator('#sip-password').innerText(), first);
  await context.close();
});

test('a reseller acts as a user of one of its domains from the Domains tab', async () => {
  const { context, page } = await login('100@voiceco.example');
  await tab(page, 'Domains').click();
  await page.getByLabel('Act as user of acme.example').fill('101');
  await page.locator('main table tbody tr', { hasText: 'acme.example' }).getByRole('button', { name: 'Act as' }).click();
  await page.waitForSelector('.impersonating');
  assert.match(await page.locator('.impersonating').innerText(), /You are acting as\s+101@acme\.example\s+\(Office Manager\), signed in as 100@voiceco\.example/);
  assert.equal(new URL(page.url()).pathname, '/manage-organization/home');
  await page.getByRole('button', { name: 'Return to my account' }).click();
  await page.waitForSelector('main h1');
  assert.equal(await page.locator('.impersonating').count(), 0);
  await context.close();
});

test('an auto attendant\'s keys are chosen by what they do, not typed as codes', async () => {
  const { context, page } = await login('101@acme.example');
  await tab(page, 'Auto Attendants').click();
  await page.getByLabel('Name').fill('After hours');
  await page.getByLabel('Extension', { exact: true }).fill('711');
  await page.getByLabel('Key 1', { exact: true }).selectOption({ label: 'A call queue' });
  await page.getByLabel('Key 1: extension or number').fill('600');
  await page.getByLabel('Key 2', { exact: true }).selectOption({ label: 'Repeat the menu' });
  await page.getByLabel('Key 3: extension or number').fill('107');
  await page.getByRole('button', { name: 'Create auto attendant' }).click();
  await page.waitForSelector('.field.invalid');
  assert.equal(await page.locator('#f-key3_kind-error').innerText(), 'choose what this key does');
  await page.getByLabel('Key 3', { exact: true }).selectOption({ label: "A user's voicemail" });
  await page.getByRole('button', { name: 'Create auto attendant' }).click();
  await page.waitForSelector('.notice');
  const row = page.locator('main table tbody tr', { hasText: 'After hours' });
  assert.equal(await row.locator('td').nth(2).innerText(), '1: call queue 600 · 2: repeat the menu · 3: voicemail 107');
  await context.close();
});

test('an office manager hands an extension to a new person in one step', async () => {
  const { context, page } = await login('101@acme.example');
  await page.goto(`${base}/manage-organization/users/106`);
  // The phone has a SIP login first, so the hand-over gives it a new password.
  await page.locator('main').getByRole('button', { name: 'New SIP password' }).first().click();
  await page.waitForSelector('#sip-password');
  const old = await page.locator('#sip-password').innerText();
  await page.getByRole('link', { name: 'Back' }).click();
  await page.getByRole('link', { name: 'Hand to a new person' }).click();
  assert.equal(await page.locator('main h1').innerText(), 'Hand extension 106 to a new person');
  await page.getByLabel("New person's first name").fill('Nia');
  await page.getByLabel("New person's last name").fill('Obi');
  await page.getByLabel('Email', { exact: true }).fill('nia.obi@acme.example');
  // Too short a password: said at the field, and nothing changes.
  await page.getByLabel('Their password (at least 10 characters)').fill('short');
  await page.getByRole('button', { name: 'Hand over extension 106' }).click();
  await page.waitForSelector('.field.invalid');
  assert.match(await page.locator('.field.invalid').innerText(), /Their password/);
  const stillOld = await login('106@acme.example');
  await stillOld.context.close();
  await page.getByLabel('Their password (at least 10 characters)').fill('fresh-start-2026');
  await page.getByLabel('Personal contacts').check();
  await page.getByRole('button', { name: 'Hand over extension 106' }).click();
  await page.waitForSelector('main h1');
  assert.equal(await page.locator('main h1').innerText(), "Extension 106 is now Nia Obi's");
  assert.match(await page.locator('main').innerText(), /Cleared: \d+ voicemail messages, \d+ greetings, 0 contacts, \d+ answering rules and \d+ time frames\. Call history is kept\./);
  const fresh = await page.locator('.sip-password').first().innerText();
  assert.equal(fresh.length, 24);
  assert.notEqual(fresh, old);
  await page.screenshot({ path: path.join(ARTIFACTS, 'recycle-done.png'), fullPage: true });
  // The new person logs in with the new password; the old one is refused.
  const nia = await login('106@acme.example', { password: 'fresh-start-2026' });
  assert.match(await nia.page.locator('.who').innerText(), /Nia Obi · 106@acme\.example/);
  await nia.context.close();
  const refused = await browser.newContext();
  const again = await refused.newPage();
  await again.goto(`${base}/login`);
  await again.getByLabel('Login').fill('106@acme.example');
  await again.getByLabel('Password').fill(PASSWORD);
  await again.getByRole('button', { name: 'Log in' }).click();
  await again.waitForSelector('main');
  assert.equal(new URL(again.url()).pathname, '/login');
  await refused.close();
  await context.close();
});

test('the supervisor\'s wallboard shows an agent going on break within a second', async () => {
  const sup = await login('104@acme.example');
  await tab(sup.page, 'Call Center').click();
  const row = sup.page.locator('#live section[data-queue="600"] tr[data-agent="105"] td.state');
  await row.waitFor();
  // Callers waiting now and the longest wait, beside today's figures (none wait in the demo).
  assert.match(await sup.page.locator('#live section[data-queue="600"] .stats').innerText(), /0\s+calls waiting\s+—\s+longest wait now/);
  await sup.page.screenshot({ path: path.join(ARTIFACTS, 'wallboard.png'), fullPage: true });
  // The agent, in a browser of its own, makes sure it is available, then takes a break.
  const agent = await login('105@acme.example');
  if ((await agent.page.locator('#availability').innerText()) !== 'Available') {
    await agent.page.getByRole('button', { name: 'Become available' }).click();
    await agent.page.waitForSelector('.notice');
    await sup.page.waitForFunction(() => document.querySelector('#live section[data-queue="600"] tr[data-agent="105"] td.state')?.textContent.startsWith('Available'), null, { timeout: 2000 });
  }
  await agent.page.getByLabel('Break reason').fill('Lunch');
  await agent.page.getByRole('button', { name: 'Take a break' }).click();
  await agent.page.waitForSelector('.notice');
  const changed = Date.now();
  await sup.page.waitForFunction(() => document.querySelector('#live section[data-queue="600"] tr[data-agent="105"] td.state')?.textContent === 'On break (Lunch)', null, { timeout: 1000 });
  assert.ok(Date.now() - changed < 1000);
  assert.equal(await agent.page.locator('#availability').innerText(), 'On break');
  // The supervisor sets it available from its Agents tab: the agent's own page follows live.
  const agents = await sup.context.newPage();
  await agents.goto(`${base}/manage-call-center/agents`);
  await agents.getByLabel('Availability of 105').selectOption('available');
  await agents.locator('main table tbody tr', { hasText: '105' }).getByRole('button', { name: 'Set' }).click();
  await agents.waitForSelector('.notice');
  const set = Date.now();
  await agent.page.waitForFunction(() => document.querySelector('#availability')?.textContent === 'Available', null, { timeout: 1000 });
  assert.ok(Date.now() - set < 1000);
  await agents.close();
  await sup.page.screenshot({ path: path.join(ARTIFACTS, 'wallboard-after.png'), fullPage: true });
  // Cut to the supervisor's queues, exactly as its Call Queues list is.
  const onBoard = await sup.page.locator('#live section[data-queue]').evaluateAll((s) => s.map((x) => x.dataset.queue).sort());
  await tab(sup.page, 'Call Queues').click();
  const listed = (await sup.page.locator('main table tbody tr td:first-child').allInnerTexts())
    .map((t) => t.trim().split(/\s+/)[0]).sort();
  assert.deepEqual(onBoard, listed);
  await agent.context.close();
  await sup.context.close();
  // A scope without the Call Center tab has no stream either.
  const basic = await login('107@acme.example');
  assert.equal(await status(basic.page, '/my-account/call-center/live'), 404);
  await basic.context.close();
});

// A WAV as a phone system takes it: RIFF, PCM, 8 kHz mono 16-bit, half a second of silence.
function silentWav() {
  const samples = 4000;
  const b = Buffer.alloc(44 + samples * 2);
  b.write('RIFF', 0); b.writeUInt32LE(36 + samples * 2, 4); b.write('WAVE', 8);
  b.write('fmt ', 12); b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24); b.writeUInt32LE(16000, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34);
  b.write('data', 36); b.writeUInt32LE(samples * 2, 40);
  return b;
}

test('hold music and greetings are uploaded from the portal, put in order and chosen', async () => {
  const om = await login('101@acme.example');
  await tab(om.page, 'Music On Hold').click();
  const names = async () => (await om.page.locator('main table tbody tr td:nth-child(2)').allInnerTexts());
  const before = await names();
  // Not a recording: said at the file's field, nothing added.
  await om.page.getByLabel('Recording (WAV)').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await om.page.getByRole('button', { name: 'Upload' }).click();
  await om.page.waitForSelector('.field.invalid');
  assert.deepEqual(await names(), before);
  // The file's own name when none is given; then one named.
  await om.page.getByLabel('Recording (WAV)').setInputFiles({ name: 'jazz-loop.wav', mimeType: 'audio/wav', buffer: silentWav() });
  await om.page.getByRole('button', { name: 'Upload' }).click();
  await om.page.waitForSelector('.notice');
  await om.page.getByLabel('Recording (WAV)').setInputFiles({ name: 'b.wav', mimeType: 'audio/wav', buffer: silentWav() });
  await om.page.getByLabel("Name (the file's name if left empty)").fill('Bossa nova');
  await om.page.getByRole('button', { name: 'Upload' }).click();
  await om.page.waitForSelector('.notice');
  assert.deepEqual(await names(), [...before, 'jazz-loop', 'Bossa nova']);
  // The last one moved up a place.
  await om.page.locator('main table tbody tr', { hasText: 'Bossa nova' }).getByRole('button', { name: 'Move up' }).click();
  await om.page.waitForSelector('.notice');
  assert.deepEqual(await names(), [...before, 'Bossa nova', 'jazz-loop']);
  await om.context.close();

  const user = await login('107@acme.example');
  await tab(user.page, 'Messages').click();
  await user.page.getByLabel('Recording (WAV)').setInputFiles({ name: 'away.wav', mimeType: 'audio/wav', buffer: silentWav() });
  await user.page.getByLabel("Name (the file's name if left empty)").fill('Away this week');
  await user.page.getByRole('button', { name: 'Upload' }).click();
  await user.page.waitForSelector('.notice');
  const row = user.page.locator('main table tbody tr', { hasText: 'Away this week' });
  await row.getByRole('button', { name: 'Use this greeting' }).click();
  await user.page.waitForSelector('.notice');
  assert.equal(await user.page.locator('main table tbody tr', { hasText: 'Away this week' }).locator('td').nth(3).innerText(), 'Callers hear this one');
  assert.equal(await user.page.getByText('Callers hear this one').count(), 1);
  await user.context.close();
});

test('an answering rule is changed in place: another kind of action, each of its targets, its ring time', async () => {
  const { context, page } = await login('107@acme.example');
  await tab(page, 'Answering Rules').click();
  const row = page.locator('main table tbody tr', { hasText: 'Forward every call to +12125550100' });
  await row.getByRole('link', { name: 'Change' }).click();
  assert.equal(await page.locator('main h1').innerText(), 'Change answering rule');
  assert.equal(await page.getByLabel('When').inputValue() !== '', true, 'its time frame is shown');
  await page.getByLabel('What happens').selectOption('forward_conditional');
  await page.getByLabel('Forward to, or the numbers').fill('');
  await page.getByLabel('If I do not answer, forward to').fill('108');
  await page.getByLabel('If I am busy, forward to').fill('not a number');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForSelector('.field.invalid');
  assert.match(await page.locator('.field.invalid label').first().innerText(), /If I am busy/);
  await page.getByLabel('If I am busy, forward to').fill('106');
  await page.getByLabel('Ring my phones for (seconds)').fill('15');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForSelector('.notice');
  assert.ok(await page.getByText('Ring me, then forward (no answer: 108, busy: 106)').isVisible());
  assert.equal(await page.getByText('Forward every call to +12125550100').count(), 0);
  // Shown back as kept: the ring time and each target.
  await page.locator('main table tbody tr', { hasText: 'no answer: 108, busy: 106' }).getByRole('link', { name: 'Change' }).click();
  assert.equal(await page.getByLabel('Ring my phones for (seconds)').inputValue(), '15');
  assert.equal(await page.getByLabel('If I am busy, forward to').inputValue(), '106');
  await context.close();
});

// The catalogues the portal speaks from (crates/portal/locales): id → text, one line each.
function catalogue(lang) {
  const dir = path.resolve(import.meta.dirname, '..', 'crates', 'portal', 'locales', lang);
  const messages = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ftl'))) {
    for (const line of readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      const m = line.match(/^([a-zA-Z][\w-]*) = (.*)$/);
      if (m) messages[m[1]] = m[2].replaceAll('{" "}', ' ').trim();
    }
  }
  return messages;
}

// Every text node and every label-like attribute of the page, as shown (not in <code>, which
// holds codes to copy).
async function shownTexts(page) {
  return page.evaluate(() => {
    const texts = [];
    const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.parentElement.closest('script, style, code')) continue;
      const t = n.textContent.replace(/\s+/g, ' ').trim();
      if (t) texts.push(t);
    }
    for (const el of document.querySelectorAll('[placeholder], [aria-label], [title], [alt]')) {
      for (const a of ['placeholder', 'aria-label', 'title', 'alt']) {
        const v = el.getAttribute(a);
        if (v) texts.push(v.trim());
      }
    }
    return texts;
  });
}

test('every scope\'s pages in Canadian French: no English left, axe clean, the language chosen and kept, times with their zone', async () => {
  const en = catalogue('en-US');
  const fr = catalogue('fr-CA');
  // The same ids in both languages (the unit test checks variables; this checks what the browser reads).
  assert.deepEqual(Object.keys(fr).sort(), Object.keys(en).sort());
  // English that French words otherwise: a whole text that is one, or a long sentence inside one.
  const english = Object.entries(en)
    .filter(([id, text]) => fr[id] !== text && !text.includes('{') && text.length > 1)
    .map(([, text]) => text);
  const whole = new Set(english);
  const sentences = english.filter((text) => text.length >= 25);
  // The demo's own data that reads like a label: a queue named "Billing".
  const demoData = new Set(['Billing']);
  const untranslated = (texts) => texts.filter((t) => !demoData.has(t)
    && (whole.has(t) || sentences.some((s) => t.includes(s))));

  // The login page follows the browser's language, and its switcher the visitor's choice.
  const visitor = await browser.newContext({ locale: 'fr-CA' });
  const door = await visitor.newPage();
  await door.goto(`${base}/login`);
  assert.equal(await door.locator('html').getAttribute('lang'), 'fr-CA');
  assert.equal(await door.locator('main h1').innerText(), 'Se connecter');
  assert.deepEqual(untranslated(await shownTexts(door)), []);
  await door.getByRole('link', { name: 'English' }).click();
  assert.equal(await door.locator('html').getAttribute('lang'), 'en-US');
  assert.equal(await door.locator('main h1').innerText(), 'Log in');
  await door.getByRole('link', { name: 'Français' }).click();
  assert.equal(await door.locator('main h1').innerText(), 'Se connecter');
  await visitor.close();

  const logins = [['100@platform.example', 'super_user'], ['100@voiceco.example', 'reseller'],
    ['101@acme.example', 'office_manager'], ['102@acme.example', 'site_manager'],
    ['104@acme.example', 'call_center_supervisor'], ['105@acme.example', 'call_center_agent'],
    ['107@acme.example', 'basic_user'], ['109@acme.example', 'simple_user']];
  const problems = [];
  let pages = 0;
  for (const [user, scope] of logins) {
    const { context, page } = await login(user, { bypassCSP: true });
    // The landing page in both languages (the super user's English one is taken only here).
    await page.screenshot({ path: path.join(ARTIFACTS, `landing-${scope}.png`), fullPage: true });
    // The header's switcher saves the choice as the user's own language.
    await page.locator('header form.languages').getByRole('button', { name: 'Français' }).click();
    await page.waitForFunction(() => document.documentElement.lang === 'fr-CA');
    await page.screenshot({ path: path.join(ARTIFACTS, `landing-${scope}-fr.png`), fullPage: true });
    const layouts = await page.locator('nav.layouts a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const layout of layouts.length ? layouts : [new URL(page.url()).pathname]) {
      await page.goto(`${base}${layout}`);
      const hrefs = await page.locator('nav.tabs a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      for (const href of [...hrefs, '/profile', '/two-factor']) {
        await page.goto(`${base}${href}`);
        pages += 1;
        if (await page.locator('html').getAttribute('lang') !== 'fr-CA') problems.push(`${user} ${href}: not in French`);
        for (const t of untranslated(await shownTexts(page))) problems.push(`${user} ${href}: "${t}"`);
        // axe-core in French too (labels, names and lang change with the language).
        for (const v of await axeViolations(page)) problems.push(`${user} ${href}: ${v}`);
        // Every time shown is on the viewer's clock in French, with its zone.
        for (const time of await page.locator('main time').allInnerTexts()) {
          if (!/^\d{1,2} \S+ \d{4}, \d\d\sh\s\d\d\smin\s\d\d\ss [A-Z+\-0-9]{2,6}$/.test(time)) problems.push(`${user} ${href}: time "${time}"`);
        }
      }
    }
    // The choice follows the user to another browser, whatever that browser's language.
    const elsewhere = await login(user);
    assert.equal(await elsewhere.page.locator('html').getAttribute('lang'), 'fr-CA', `${user} keeps French`);
    await elsewhere.context.close();
    // Back to English for the other tests.
    await page.locator('header form.languages').getByRole('button', { name: 'English' }).click();
    await page.waitForFunction(() => document.documentElement.lang === 'en-US');
    await context.close();
  }
  assert.ok(pages > 60, `only ${pages} pages were checked`);
  assert.deepEqual(problems, []);

  // A refusal from the API is shown in French from its code and field, under the field.
  const om = await login('101@acme.example');
  await om.page.locator('header form.languages').getByRole('button', { name: 'Français' }).click();
  await om.page.goto(`${base}/manage-organization/users`);
  await om.page.getByLabel('Poste', { exact: true }).fill('101');
  await om.page.getByLabel('Prénom').fill('Double');
  await om.page.getByLabel('Nom', { exact: true }).fill('Poste');
  await om.page.getByRole('button', { name: 'Créer l\'utilisateur' }).click();
  await om.page.waitForSelector('main .alert, main .error');
  const said = await om.page.locator('main form.card').innerText();
  assert.match(said, /conflit|existe|pas acceptée/, said);
  assert.deepEqual(untranslated(await shownTexts(om.page)), []);
  await om.page.locator('header form.languages').getByRole('button', { name: 'English' }).click();
  await om.context.close();
});

test('a voicemail PIN is set from My Account and by a manager from the user\'s page, never shown', async () => {
  const { context, page } = await login('108@acme.example');
  await tab(page, 'Messages').click();
  const section = page.locator('#voicemail-pin');
  assert.match(await section.innerText(), /No PIN is set/);
  // Easy to guess: refused under the field, nothing set.
  await section.getByLabel('New PIN (4 to 10 digits)').fill('1111');
  await section.getByRole('button', { name: 'Set PIN' }).click();
  assert.match(await page.locator('#f-pin-error').innerText(), /one digit repeated/);
  assert.match(await page.locator('#voicemail-pin').innerText(), /No PIN is set/);
  await page.locator('#voicemail-pin').getByLabel('New PIN (4 to 10 digits)').fill('2580');
  await page.locator('#voicemail-pin').getByRole('button', { name: 'Set PIN' }).click();
  await page.waitForSelector('.notice');
  assert.match(await page.locator('#voicemail-pin').innerText(), /A PIN is set/);
  assert.doesNotMatch(await page.content(), /2580/, 'the PIN is never sent back');
  await context.close();

  // The Office Manager sees it is set on the user's page, and clears it.
  const om = await login('101@acme.example');
  await om.page.goto(`${base}/manage-organization/users/108`);
  const pin = om.page.locator('#voicemail-pin');
  assert.match(await pin.innerText(), /A PIN is set/);
  await pin.getByRole('button', { name: 'Clear PIN' }).click();
  await om.page.waitForSelector('.notice');
  assert.match(await om.page.locator('#voicemail-pin').innerText(), /No PIN is set/);
  await om.context.close();
});
