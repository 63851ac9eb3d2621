// Server-side tracing from the official @sentry/node SDK: two services of the platform,
// instrumented as its guide says (`node --import instrument.mjs`), answer requests; their
// `http.server` transactions reach the monitor with nothing changed but the DSN. One
// samples everything, the other a tenth: the Server view counts the traffic both stand for.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { startMonitor, launchBrowser, eventually, signIn } from "./support.mjs";

const FIXTURE = fileURLToPath(new URL("../fixtures/sentry-node/", import.meta.url));
const show = (v) => JSON.stringify(v, null, 2);

let monitor, browser, admin, dsn;
const services = [];

async function api(path) {
  const res = await admin.request.get(monitor.base + path);
  const text = await res.text();
  assert.equal(res.status(), 200, `GET ${path} answered ${res.status()}: ${text}`);
  return JSON.parse(text);
}

/// Starts the fixture service under @sentry/node; resolves to its base URL.
async function startService(name, rate) {
  const child = spawn(process.execPath, ["--import", "./instrument.mjs", "server.mjs"], {
    cwd: FIXTURE,
    env: { ...process.env, SENTRY_DSN: dsn, TRACES_SAMPLE_RATE: String(rate), SERVICE_NAME: name },
    stdio: ["ignore", "pipe", "inherit"],
  });
  services.push(child);
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise((ok, fail) => {
    child.once("exit", (code) => fail(new Error(`${name} exited with ${code}`)));
    lines.on("line", (l) => {
      const m = l.match(/^listening (\d+)/);
      if (m) ok(m[1]);
    });
  });
  return `http://127.0.0.1:${port}`;
}

async function call(base, path, expected) {
  const res = await fetch(base + path);
  assert.equal(res.status, expected, `${path}`);
  await res.arrayBuffer();
}

before(async () => {
  monitor = await startMonitor();
  browser = await launchBrowser();
  admin = await browser.newContext();
  const login = await admin.newPage();
  await signIn(login, monitor.base);
  await login.close();
  dsn = (await api("/api/v1/projects"))[0].dsn;
});

after(async () => {
  for (const s of services) s.kill("SIGTERM");
  await admin?.close();
  await browser?.close();
  await monitor?.stop();
});

test("@sentry/node's server transactions give the error rate, and a tenth sample counts ten times", async () => {
  const orders = await startService("orders-api", 1.0);
  const menu = await startService("menu-api", 0.1);
  for (let i = 0; i < 10; i++) {
    const fail = i < 2;
    await call(orders, `/api/orders/${100 + i}?restaurant=r-7${fail ? "&fail=1" : ""}`, fail ? 500 : 200);
  }
  for (let i = 0; i < 300; i++) await call(menu, "/api/menu", 200);
  await call(orders, "/flush", 200);
  await call(menu, "/flush", 200);

  const ordersView = await eventually(async () => {
    const v = await api("/api/v1/server?range=1h&service=orders-api");
    return v.requests === 10 && v;
  });
  assert.equal(ordersView.failed, 2, show(ordersView.routes));
  assert.equal(ordersView.error_rate, 0.2);
  assert.equal(ordersView.routes.length, 1, `one route template for /api/orders/{id}: ${show(ordersView.routes)}`);
  assert.equal(ordersView.routes[0].environment, "production");
  const r7 = await api("/api/v1/server?range=1h&restaurant=r-7");
  assert.equal(r7.requests, 10, "the restaurant tag set in the handler filters the view");

  // The SDK declares its 0.1 rate in the envelope's sampling context: each transaction it
  // sent stands for ten requests. About 30 of 300 were sent, so about 300 are counted.
  const menuView = await eventually(async () => {
    const v = await api("/api/v1/server?range=1h&service=menu-api");
    return v.requests > 0 && v;
  });
  assert.equal(menuView.requests % 10, 0, `every kept transaction weighs 10: ${menuView.requests}`);
  assert.ok(menuView.requests >= 100 && menuView.requests <= 600, `about 300 counted: ${menuView.requests}`);
  assert.equal(menuView.failed, 0);
});
