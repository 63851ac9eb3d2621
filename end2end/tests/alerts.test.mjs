// The Alerts page in a real browser: a rule created with the form fires on a metric the
// test posts, shows under "Firing now", is acknowledged with its button, and the
// Overview's alerts card shows it; then the Health page gets a probe.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startMonitor, launchBrowser, watchErrors, eventually, signIn, ingestToken } from "./support.mjs";

let monitor, browser;
before(async () => {
  // Evaluate every second so the test does not wait 15 s.
  monitor = await startMonitor({ MONITOR_ALERTS__INTERVAL_SECS: "1" });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await monitor?.stop();
});

test("a rule made on the Alerts page fires, is acknowledged, and shows on the Overview", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  await signIn(page, monitor.base);

  await page.getByRole("link", { name: "Alerts" }).first().click();
  await page.getByText("Nothing is firing.").waitFor();
  assert.ok(await page.locator("table.rules", { hasText: "high_error_rate" }).count(), "the shipped rules are listed");

  await page.getByRole("link", { name: "New rule" }).click();
  await page.fill("input[name=name]", "orders_backlog");
  await page.selectOption("select[name=severity]", "critical");
  await page.fill("input[name=metric]", "custom:queue.depth");
  await page.fill("input[name=threshold]", "10");
  await page.fill("input[name=window]", "2m");
  await page.fill("textarea[name=description]", "Check the <kitchen> printer");
  await page.getByRole("button", { name: "Save rule" }).click();
  await page.getByText("Rule orders_backlog saved").waitFor();

  const token = await ingestToken(page.request, monitor.base);
  const posted = await page.request.post(monitor.base + "/api/internal/metrics", {
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    data: JSON.stringify({ metric: "queue.depth", value: 42 }),
  });
  assert.equal(posted.status(), 202);

  const firing = page.locator("table.active-alerts tr", { hasText: "orders_backlog" });
  await eventually(async () => {
    await page.goto(monitor.base + "/alerts");
    return (await firing.count()) === 1;
  });
  assert.match(await firing.textContent(), /firing/);
  await firing.getByRole("button", { name: "Acknowledge" }).click();
  await page.getByText("Acknowledged orders_backlog").waitFor();
  assert.match(await firing.textContent(), /admin, \d{4}-\d\d-\d\d/);
  assert.equal(await firing.getByRole("button", { name: "Acknowledge" }).count(), 0);
  const history = await page.locator("table.alert-history").textContent();
  assert.match(history, /acknowledged by admin/);

  await page.getByRole("link", { name: "Overview" }).click();
  const card = page.locator(".summary-card", { hasText: "Alerts" });
  await card.getByText("orders_backlog").waitFor();
  assert.match(await card.textContent(), /acknowledged by admin/);
  // The island opened the live channel (/ws, with the session cookie).
  await page.locator(".refresh-status", { hasText: "live" }).waitFor();

  // The Health page: a TCP probe of the monitor's own port, added with the form.
  await page.getByRole("link", { name: "Health", exact: true }).click();
  await page.locator(".monitor-status", { hasText: "healthy" }).waitFor();
  await page.fill("input[name=name]", "monitor-port");
  await page.selectOption("select[name=kind]", "tcp");
  await page.fill("input[name=target]", new URL(monitor.base).host);
  await page.fill("input[name=interval_secs]", "1");
  await page.getByRole("button", { name: "Save probe" }).click();
  await page.getByText("Probe monitor-port saved").waitFor();
  const row = page.locator("table.probes tr", { hasText: "monitor-port" });
  await eventually(async () => {
    await page.goto(monitor.base + "/status");
    return (await row.locator(".state.up").count()) === 1;
  });
  assert.equal(await row.locator(".uptime-bars .bar").count(), 24);
  assert.deepEqual(errors, [], "no console errors");
  await page.screenshot({ path: new URL("../test-results/alerts.png", import.meta.url).pathname, fullPage: true });
});
