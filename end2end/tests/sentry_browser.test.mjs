// Drop-in Sentry compatibility, end to end: a restaurant page instrumented with the
// official @sentry/browser SDK (from npm, bundled here by esbuild, never from a CDN)
// reports to the monitor with nothing changed but its DSN. The page is served from
// another origin than the monitor, so the SDK's envelope POSTs go through CORS.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { startMonitor, launchBrowser, watchErrors, eventually, signIn } from "./support.mjs";

const APP = fileURLToPath(new URL("../fixtures/sentry-app/app.js", import.meta.url));
const SDK_VERSION = createRequire(import.meta.url)("@sentry/browser/package.json").version;

// The two errors app.js produces: distinct types from distinct functions, two issues.
const UNCAUGHT = {
  fn: "submitOrder",
  kind: "TypeError",
  // Chrome: "Cannot read properties of undefined (reading 'amount')".
  title: /^TypeError: .*'amount'/,
  throwLine: "o.payment.amount",
};
const HANDLED = {
  fn: "applyDiscount",
  kind: "Error",
  title: /^Error: Discount code SUMMER-EXPIRED has expired/,
  throwLine: "throw new Error(`Discount code",
};

const show = (v) => JSON.stringify(v, null, 2);

let monitor, browser, admin, fixture, dir, bundle, dsn;

/// GET on the read API with the signed-in admin context's session cookie.
async function api(path) {
  const res = await admin.request.get(monitor.base + path);
  const text = await res.text();
  assert.equal(res.status(), 200, `GET ${path} answered ${res.status()}: ${text}`);
  return JSON.parse(text);
}

/// The restaurant's own site: a page that sets the DSN and loads the bundled app.
function serveFixture(js, dsn) {
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>POS</title><link rel="icon" href="data:,"></head>
<body>
<button id="submit">Submit order</button>
<button id="discount">Apply discount</button>
<script>window.MONITOR_DSN = ${JSON.stringify(dsn).replace(/</g, "\\u003c")};</script>
<script src="/app.js"></script>
</body></html>`;
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
    } else if (path === "/api/menu/42") {
      res.writeHead(200, { "content-type": "application/json" }).end('{"items":3}');
    } else if (path === "/app.js") {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(js);
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () =>
      ok({
        base: `http://127.0.0.1:${server.address().port}`,
        close: () => new Promise((done) => server.close(done)),
      }),
    );
  });
}

/// The item types of a Sentry envelope body (to say what a refused request carried).
function itemTypes(body) {
  const types = [];
  for (const line of (body ?? "").split("\n").slice(1)) {
    try {
      const h = JSON.parse(line);
      if (typeof h?.type === "string") types.push(h.type);
    } catch {
      // a payload line that is not JSON
    }
  }
  return types;
}

/// The 1-based line of the bundle holding `needle` (where the stack frame must point).
function lineOf(needle) {
  const i = bundle.split("\n").findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `bundle has a line with ${needle}`);
  return i + 1;
}

before(async () => {
  monitor = await startMonitor();
  browser = await launchBrowser();

  dir = mkdtempSync(join(tmpdir(), "monitor-e2e-sentry-app-"));
  await build({
    entryPoints: [APP],
    outfile: join(dir, "app.js"),
    bundle: true,
    format: "iife",
    platform: "browser",
    sourcemap: false,
    minify: false,
    logLevel: "silent",
  });
  bundle = readFileSync(join(dir, "app.js"), "utf8");
  for (const fn of [UNCAUGHT.fn, HANDLED.fn]) {
    assert.ok(bundle.includes(`function ${fn}(`), `esbuild kept the name ${fn}`);
  }

  // Sign in as a person would, then read the default project's DSN.
  admin = await browser.newContext();
  const login = await admin.newPage();
  await signIn(login, monitor.base);
  await login.close();
  const projects = await api("/api/v1/projects");
  assert.ok(Array.isArray(projects) && projects.length >= 1, `projects: ${show(projects)}`);
  dsn = projects[0].dsn;
  const parsed = new URL(dsn);
  assert.equal(parsed.origin, new URL(monitor.base).origin, `DSN ${dsn} points at the monitor`);
  assert.equal(parsed.username, projects[0].public_key, `DSN ${dsn} carries the public key`);

  fixture = await serveFixture(bundle, dsn);
  assert.notEqual(new URL(fixture.base).origin, new URL(monitor.base).origin);
});

after(async () => {
  await admin?.close();
  await browser?.close();
  await fixture?.close();
  await monitor?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("@sentry/browser reports handled and uncaught errors with only its DSN changed", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);

  // Every request the page makes to the monitor, with what it answered.
  const monitorOrigin = new URL(monitor.base).origin;
  const sent = new Map();
  page.on("request", (r) => {
    if (new URL(r.url()).origin !== monitorOrigin) return;
    sent.set(r, { method: r.method(), url: r.url(), items: itemTypes(r.postData()), done: false });
  });
  page.on("response", async (res) => {
    const entry = sent.get(res.request());
    if (!entry) return;
    entry.status = res.status();
    const headers = await res.allHeaders().catch(() => ({}));
    entry.allowOrigin = headers["access-control-allow-origin"];
    entry.body = await res.text().catch((e) => `<body unreadable: ${e.message}>`);
    entry.done = true;
  });
  page.on("requestfailed", (r) => {
    const entry = sent.get(r);
    if (!entry) return;
    entry.failure = r.failure()?.errorText ?? "failed";
    entry.done = true;
  });
  const requests = () => [...sent.values()];

  await page.goto(fixture.base + "/", { waitUntil: "load" });
  await page.waitForFunction(() => window.posReady === true, null, { timeout: 10_000 });

  // (b) first: an uncaught TypeError out of a click handler...
  await page.click("#submit");
  await eventually(() => errors.some((e) => e.includes("'amount'")), 5_000, 50);
  // ...after which the SDK must still work: (a) a handled error reported by hand.
  await page.click("#discount");
  const handledId = await page.evaluate(() => window.capturedEventId);
  assert.match(handledId ?? "", /^[0-9a-f]{32}$/, "captureException returned an event id");

  let issues = [];
  try {
    await eventually(async () => {
      issues = await api("/api/v1/issues");
      return issues.some((i) => UNCAUGHT.title.test(i.title)) && issues.some((i) => HANDLED.title.test(i.title));
    }, 20_000);
  } catch (e) {
    assert.fail(
      `both errors did not become issues (${e.message})\n` +
        `issues: ${show(issues)}\nrequests to the monitor: ${show(requests())}\npage errors: ${show(errors)}`,
    );
  }
  assert.equal(issues.length, 2, `exactly the two errors, as two issues: ${show(issues)}`);

  for (const want of [UNCAUGHT, HANDLED]) {
    const issue = issues.find((i) => want.title.test(i.title));
    const events = await eventually(async () => {
      const list = await api(`/api/v1/issues/${issue.id}/events`);
      return list.length >= 1 && list;
    }, 10_000);
    const ev = events[0];
    const ctx = `\nissue: ${show(issue)}\nevent: ${show(ev)}`;

    assert.equal(issue.level, "error", ctx);
    assert.ok(issue.events >= 1, `events counted${ctx}`);
    assert.ok(issue.users >= 1, `users counted${ctx}`);
    assert.ok(issue.restaurants >= 1, `restaurants counted${ctx}`);
    assert.match(issue.culprit ?? "", new RegExp(`^${want.fn}\\b`), `culprit${ctx}`);

    // Where it was thrown: the named function, in the bundle, at the throwing line.
    assert.ok(ev.exceptions?.length >= 1, `an exception${ctx}`);
    const ex = ev.exceptions.at(-1);
    assert.equal(ex.kind, want.kind, ctx);
    const frame = ex.frames.find((f) => f.function === want.fn);
    assert.ok(frame, `a frame in ${want.fn}${ctx}`);
    assert.equal(ex.frames.at(-1).function, want.fn, `the innermost frame is ${want.fn}${ctx}`);
    assert.match(frame.filename ?? "", /app\.js$/, `frame filename${ctx}`);
    assert.ok(frame.filename.startsWith(fixture.base), `frame filename is the page's script${ctx}`);
    assert.equal(frame.lineno, lineOf(want.throwLine), `frame line${ctx}`);
    assert.ok(frame.colno > 0, `frame column${ctx}`);

    // What the page set on the SDK's scope.
    const tags = Object.fromEntries(ev.tags);
    assert.equal(tags.restaurant_id, "r-42", `tags${ctx}`);
    assert.equal(tags.order_type, "delivery", `tags${ctx}`);
    assert.equal(ev.user?.id, "u-7", `user${ctx}`);
    assert.equal(ev.user?.email, "cashier@example.com", `user${ctx}`);
    assert.equal(ev.contexts?.order_details?.order_id, "o-991", `contexts${ctx}`);
    assert.equal(ev.contexts?.order_details?.total, "23.50", `contexts${ctx}`);
    assert.ok(
      ev.breadcrumbs.some((b) => b.category === "pos.cart" && b.message === "Cart opened with 3 items"),
      `the page's breadcrumb${ctx}`,
    );
    assert.equal(ev.release, "pos@1.4.2", ctx);
    assert.equal(ev.environment, "e2e", ctx);
    assert.equal(ev.platform, "javascript", ctx);
    assert.equal(ev.level, "error", ctx);
    assert.match(ev.event_id ?? "", /^[0-9a-f]{32}$/, ctx);
    assert.equal(ev.sdk?.name, "sentry.javascript.browser", `sdk${ctx}`);
    assert.equal(ev.sdk?.version, SDK_VERSION, `sdk${ctx}`);
    assert.ok(String(ev.request?.url ?? "").startsWith(fixture.base), `request url${ctx}`);
    if (want === HANDLED) assert.equal(ev.event_id, handledId, `the id captureException returned${ctx}`);
  }

  // Every request the SDK made to the monitor (envelopes, cross-origin) was answered 2xx
  // with CORS headers the browser accepted.
  try {
    await eventually(() => requests().every((r) => r.done), 10_000, 50);
  } catch (e) {
    assert.fail(`requests to the monitor still pending: ${show(requests())}`);
  }
  const all = requests();
  const envelopes = all.filter((r) => r.method === "POST" && /\/api\/\d+\/envelope\//.test(r.url));
  assert.ok(envelopes.length >= 2, `at least the two error envelopes were sent: ${show(all)}`);
  for (const r of all) {
    assert.ok(!r.failure && r.status >= 200 && r.status < 300, `answered 2xx: ${show(r)}\nall: ${show(all)}`);
    assert.ok(r.allowOrigin === "*" || r.allowOrigin === fixture.base, `CORS allowed: ${show(r)}`);
  }

  assert.deepEqual(
    errors.filter((e) => !e.includes("'amount'")),
    [],
    "the only page error is the deliberate uncaught TypeError",
  );
  await context.close();
});

test("the SDK's page-load transaction and its fetch span reach the performance data", async () => {
  // The first test's page load was measured too; its transaction ends once the page is idle.
  const overview = await eventually(async () => {
    const o = await api("/api/v1/overview");
    return o.page_views >= 1 && o.top_pages.some((p) => p.page === "/") && o;
  }, 20_000);
  assert.ok(overview.ttfb.count >= 1, `TTFB measured: ${show(overview.ttfb)}`);
  assert.ok(overview.fcp.p50 > 0, `FCP measured: ${show(overview.fcp)}`);
  const endpoints = await eventually(async () => {
    const e = await api("/api/v1/endpoints");
    return e.some((x) => x.endpoint === "GET /api/menu/:id") && e;
  }, 10_000);
  const menu = endpoints.find((x) => x.endpoint === "GET /api/menu/:id");
  assert.ok(menu.duration.count >= 1 && menu.errors === 0, `menu call: ${show(menu)}`);
});

test("the issue pages show the stack trace, tags and impact, and resolve an issue", async () => {
  const issues = await api("/api/v1/issues");
  const uncaught = issues.find((i) => UNCAUGHT.title.test(i.title));
  const page = await admin.newPage();
  const errors = watchErrors(page);

  await page.goto(`${monitor.base}/issues?tag=restaurant_id:r-42`);
  const rows = page.locator("tr.issue-row");
  assert.equal(await rows.count(), 2, "both issues of restaurant r-42 are listed");
  assert.equal(await page.locator("tr.issue-row svg.sparkline").count(), 2, "each with a sparkline");
  await page.goto(`${monitor.base}/issues?tag=restaurant_id:r-0`);
  assert.equal(await rows.count(), 0, "another restaurant has none");

  await page.goto(`${monitor.base}/issues/${uncaught.id}`);
  const inApp = page.locator("li.frame.in-app .function");
  assert.equal(await inApp.first().textContent(), UNCAUGHT.fn, "the innermost in-app frame comes first");
  const restaurants = page.locator(".tag[data-key=restaurant_id]");
  assert.match(await restaurants.textContent(), /r-42/);
  assert.equal(await page.locator(".card-value.restaurants").textContent(), "1");
  assert.equal(await page.locator(".card-value.orders").textContent(), "1", "order o-991 from order_details");
  assert.match(await page.locator("details.context", { hasText: "order_details" }).textContent(), /o-991/);
  assert.match(await page.locator("table.breadcrumbs").textContent(), /Cart opened with 3 items/);

  // Resolve it from the page (an island), then it is resolved for everyone.
  // The button works once the island's wasm has hydrated: click until it takes.
  await eventually(async () => {
    const resolve = page.locator("button.action-resolved");
    if (await resolve.count()) await resolve.click();
    await page.waitForTimeout(200);
    return (await page.locator(".status-value").textContent()) === "resolved";
  }, 15_000, 50);
  assert.equal((await api(`/api/v1/issues/${uncaught.id}`)).status, "resolved");
  await page.goto(`${monitor.base}/issues`);
  const titles = await page.locator("a.issue-title").allTextContents();
  assert.ok(!titles.some((t) => UNCAUGHT.title.test(t)), `a resolved issue leaves the default list: ${titles}`);
  assert.deepEqual(errors, [], "no console errors on the issue pages");
  await page.close();
});

test("the dashboard reports its own browser errors to its project", async () => {
  const page = await admin.newPage();
  await page.goto(monitor.base + "/settings");
  await page.evaluate(() => setTimeout(() => {
    throw new Error("dashboard self-test boom");
  }, 0));
  const issue = await eventually(async () => {
    const list = await api("/api/v1/issues?search=dashboard+self-test");
    return list[0];
  }, 10_000);
  const [ev] = await api(`/api/v1/issues/${issue.id}/events`);
  assert.equal(ev.environment, "dashboard");
  assert.match(ev.release, /^monitor@/);
  assert.equal(ev.exceptions.at(-1).kind, "Error");
  assert.ok(ev.request.url.endsWith("/settings"), show(ev.request));
  await page.close();
});
