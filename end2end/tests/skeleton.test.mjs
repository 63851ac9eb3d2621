// Walking skeleton, end to end: the demo page's SDK sends page loads, an admin signs
// in, and the hydrated Overview shows them, switches range and redraws the chart.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startMonitor, launchBrowser, watchErrors, eventually, PASSWORD } from "./support.mjs";

let monitor, browser;
before(async () => {
  monitor = await startMonitor();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await monitor?.stop();
});

test("demo page views reach the hydrated Overview", async () => {
  const context = await browser.newContext();
  const demo = await context.newPage();
  const demoErrors = watchErrors(demo);
  const beacons = [];
  demo.on("request", (r) => r.url().includes("/api/rum") && beacons.push(r));
  for (const path of ["/demo/restaurant", "/demo/restaurant/menu", "/demo/restaurant"]) {
    const before = beacons.length;
    await demo.goto(monitor.base + path, { waitUntil: "load" });
    await eventually(() => beacons.length > before, 10_000, 50);
  }
  // The first page load's beacon (the demo's own API calls are beacons too).
  const all = beacons.flatMap((r) => JSON.parse(r.postData()).beacons);
  const b = all.find((x) => x.type === "pageload");
  assert.ok(b, `a pageload beacon among ${JSON.stringify(all)}`);
  assert.equal(b.page, "/demo/restaurant");
  for (const field of ["ttfb", "dcl", "load"]) {
    assert.ok(b[field] > 0, `${field} measured: ${JSON.stringify(b)}`);
  }
  assert.deepEqual(demoErrors, [], "the SDK leaves the page's console clean");

  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(monitor.base + "/");
  assert.match(page.url(), /\/login\?next=/);
  await page.fill("input[name=username]", "admin");
  await page.fill("input[name=password]", "wrong");
  await page.click("button[type=submit]");
  await page.getByText("Wrong username or password.").waitFor();
  await page.fill("input[name=username]", "admin");
  await page.fill("input[name=password]", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForURL(monitor.base + "/");

  // Beacons are flushed within a fraction of a second; reload until they show.
  await eventually(async () => {
    await page.reload();
    const views = await page.locator(".card", { hasText: "Page views" }).locator(".card-value").textContent();
    return views.trim() === "3";
  });
  assert.ok((await page.locator(".chart svg circle").count()) >= 3, "p50/p95/p99 points drawn");
  const pages = await page.locator("table.top-pages tbody tr td:first-child").allTextContents();
  assert.deepEqual(pages, ["/demo/restaurant", "/demo/restaurant/menu"]);

  // Hydration: the range buttons only work once the island's wasm runs.
  const day = page.getByRole("button", { name: "Last 24 h" });
  await eventually(async () => {
    await day.click();
    await page.waitForTimeout(300);
    return (await day.getAttribute("aria-pressed")) === "true";
  });
  await page.locator(".refresh-status", { hasText: "Updated" }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Last hour" }).getAttribute("aria-pressed"), "false");
  assert.ok((await page.locator(".chart svg circle").count()) >= 3, "chart redrawn for 24 h");
  assert.equal(
    (await page.locator(".card", { hasText: "Page views" }).locator(".card-value").textContent()).trim(),
    "3",
  );
  assert.deepEqual(errors, [], "no console errors on the dashboard");
  await page.screenshot({ path: new URL("../test-results/overview.png", import.meta.url).pathname, fullPage: true });

  // Sign out ends the session.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByText("You are signed out.").waitFor();
  await page.goto(monitor.base + "/settings");
  assert.match(page.url(), /\/login\?next=%2Fsettings/);
  await context.close();
});
