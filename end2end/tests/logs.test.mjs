// The Logs page's live tail in a real browser: switched on, a line posted to /api/logs
// appears without a reload; the Business and Audit pages render without console errors.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startMonitor, launchBrowser, watchErrors, signIn, ingestToken } from "./support.mjs";

let monitor, browser;
before(async () => {
  monitor = await startMonitor();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await monitor?.stop();
});

test("the live tail shows a line as it arrives; Business and Audit render", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  await signIn(page, monitor.base);

  await page.getByRole("link", { name: "Logs", exact: true }).click();
  await page.getByText("No log lines match.").waitFor();
  await page.getByLabel("Live tail").check();
  const token = await ingestToken(page.request, monitor.base);
  // The channel may take a moment to open: post until the line shows.
  const line = page.locator(".tail-lines li", { hasText: "kitchen printer <offline>" });
  for (let i = 0; i < 20 && (await line.count()) === 0; i++) {
    const r = await page.request.post(monitor.base + "/api/logs", {
      headers: { authorization: `Bearer ${token}`, "content-type": "application/x-ndjson" },
      data: JSON.stringify({ level: "warn", message: "kitchen printer <offline>", service: "kds" }) + "\n",
    });
    assert.equal(r.status(), 202);
    await page.waitForTimeout(250);
  }
  await line.first().waitFor();
  assert.match(await line.first().textContent(), /warn \[kds\] kitchen printer <offline>/, "shown as text, not markup");

  await page.goto(monitor.base + "/logs?q=printer");
  await page.locator("table.log-lines", { hasText: "kitchen printer <offline>" }).waitFor();
  await page.getByRole("link", { name: "Business", exact: true }).click();
  await page.locator(".card", { hasText: "Orders" }).first().waitFor();
  await page.getByRole("link", { name: "Audit", exact: true }).click();
  await page.locator("table.audit", { hasText: "login" }).waitFor();
  assert.deepEqual(errors, [], "no console errors");
});
