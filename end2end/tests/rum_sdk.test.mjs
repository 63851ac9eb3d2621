// The RUM SDK on a restaurant page with known behaviour, in Chromium: an image (LCP), a
// late banner (CLS), a slow click handler (INP), a 2.5 s API call (a slow call), an SPA
// navigation and a thrown error. Each must reach the read API and the Performance page.
// Then: with the monitor unreachable, or `enabled: false`, the page keeps working and
// the SDK puts nothing in its console.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startMonitor, launchBrowser, watchErrors, eventually, signIn } from "./support.mjs";

const HTML = readFileSync(fileURLToPath(new URL("../fixtures/rum-app/index.html", import.meta.url)), "utf8");
// A 1×1 PNG, shown at 640×320: the largest element, so the LCP candidate.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);
const show = (v) => JSON.stringify(v, null, 2);

let monitor, browser, admin, site, key;

function serve(html) {
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/hero.png") return res.writeHead(200, { "content-type": "image/png" }).end(PNG);
    if (path.startsWith("/api/tickets/")) {
      return setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end('{"count":4}'), 2500);
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
  });
  return new Promise((ok) =>
    server.listen(0, "127.0.0.1", () =>
      ok({ base: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((d) => server.close(d)) }),
    ),
  );
}

async function api(path) {
  const res = await admin.request.get(monitor.base + path);
  assert.equal(res.status(), 200, `GET ${path}`);
  return res.json();
}

before(async () => {
  monitor = await startMonitor();
  browser = await launchBrowser();
  admin = await browser.newContext();
  const login = await admin.newPage();
  await signIn(login, monitor.base);
  await login.close();
  key = (await api("/api/v1/projects"))[0].public_key;
  site = await serve(HTML.replaceAll("MONITOR", monitor.base).replaceAll("KEY", key));
});

after(async () => {
  await admin?.close();
  await browser?.close();
  await site?.close();
  await monitor?.stop();
});

test("vitals, a slow call, an SPA navigation and an error reach the Performance page", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  const failed = [];
  page.on("response", (r) => r.status() >= 400 && failed.push(`${r.status()} ${r.url()}`));
  await page.goto(site.base + "/", { waitUntil: "load" });
  await page.locator("#status", { hasText: "tickets: 4" }).waitFor({ timeout: 10_000 });
  await page.waitForTimeout(600); // the banner has shifted the layout
  await page.click("#bump");
  await page.locator("#status", { hasText: "bumped" }).waitFor();
  await page.click("#orders");
  await page.waitForTimeout(300);
  // Leaving the page: the final vitals go out with sendBeacon on pagehide.
  await page.goto("about:blank");
  await context.close();
  assert.deepEqual(
    errors.filter((e) => !e.includes("ticket printer offline")),
    [],
    `the SDK leaves the page's console clean (failed requests: ${show(failed)})`,
  );

  let last;
  const perf = await eventually(async () => {
    const p = (last = await api("/api/v1/performance"));
    const lcp = p.vitals.find((v) => v.vital === "lcp");
    return p.page_views >= 2 && lcp.quantiles.count >= 1 && p.slow_calls.length >= 1 && p;
  }, 20_000).catch((e) => {
    const { vitals_chart_svg, memory_chart_svg, ...rest } = last ?? {};
    assert.fail(`${e.message}\n${show({ ...rest, vitals: rest.vitals?.map(({ series, ...v }) => v) })}`);
  });
  const v = Object.fromEntries(perf.vitals.map((x) => [x.vital, x]));
  const ctx = `\n${show(perf.vitals.map(({ series, ...rest }) => rest))}`;
  assert.ok(v.lcp.p75 > 0, `LCP measured${ctx}`);
  assert.ok(v.cls.p75 > 0, `CLS from the banner${ctx}`);
  assert.ok(v.inp.p75 >= 100, `INP from the 150 ms click handler${ctx}`);
  assert.ok(v.ttfb.quantiles.count >= 1 && v.fcp.quantiles.count >= 1, `TTFB and FCP${ctx}`);
  const slow = perf.slow_calls[0];
  assert.equal(slow.route, "/api/tickets/:id", show(slow));
  assert.ok(slow.duration_ms >= 2500, show(slow));
  assert.equal(slow.restaurant_id, "r-7", "setTag reached the beacons");
  assert.ok(perf.pages.some((p) => p.name === "/orders"), `the SPA route is a page view: ${show(perf.pages)}`);
  assert.ok(perf.browsers[0].name.startsWith("Chrome"), show(perf.browsers));
  const endpoints = perf.endpoints.map((e) => e.endpoint);
  assert.ok(!endpoints.some((e) => e.includes("/sdk/") || e.includes("/api/rum")), `the SDK's own requests are not measured: ${endpoints}`);

  const issues = await eventually(async () => {
    const list = await api("/api/v1/issues?search=printer");
    return list.length && list;
  }, 10_000);
  const [ev] = await api(`/api/v1/issues/${issues[0].id}/events`);
  assert.equal(ev.exceptions.at(-1).kind, "TypeError");
  assert.equal(ev.release, "kds@3.1.0");
  assert.equal(ev.user.id, "u-9");
  const crumbs = ev.breadcrumbs.map((b) => `${b.category} ${b.message}`);
  assert.ok(crumbs.some((c) => c.startsWith("api GET /api/tickets/:id")), show(crumbs));
  assert.ok(crumbs.includes("navigation / -> /orders"), show(crumbs));

  const html = await (await admin.request.get(monitor.base + "/performance?restaurant=r-7")).text();
  for (const expected of ["LCP", "INP", "/api/tickets/:id", "/orders"]) {
    assert.ok(html.includes(expected), `the Performance page shows ${expected}`);
  }
});

test("with the monitor unreachable or the SDK disabled the page keeps working", async () => {
  const dead = "http://127.0.0.1:9"; // discard port: nothing listens
  for (const options of [`{ key: "${key}", endpoint: "${dead}/api/rum" }`, `{ key: "${key}", enabled: false }`]) {
    const html = `<!doctype html><html><head><link rel="icon" href="data:,"></head><body>
      <button id="b">Go</button><p id="s">idle</p>
      <script type="module">
        import { init, setTag } from "${monitor.base}/sdk/rum.js";
        setTag("restaurant_id", "r-1");
        window.started = await init(${options});
        fetch("/api/tickets/1").catch(() => {});
        document.getElementById("b").onclick = () => { document.getElementById("s").textContent = "clicked"; };
      </script></body></html>`;
    const s = await serve(html);
    const context = await browser.newContext();
    const page = await context.newPage();
    const thrown = [];
    page.on("pageerror", (e) => thrown.push(e.message));
    await page.goto(s.base + "/", { waitUntil: "load" });
    await page.waitForFunction(() => window.started !== undefined);
    await page.click("#b");
    await page.locator("#s", { hasText: "clicked" }).waitFor();
    await page.goto("about:blank");
    assert.deepEqual(thrown, [], `nothing thrown into the page with ${options}`);
    await context.close();
    await s.close();
  }
});
