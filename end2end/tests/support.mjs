// Starts the real `monitor` binary on a free port with a temporary database, and a
// headless Debian Chromium driven by playwright-core.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const ROOT = resolve(import.meta.dirname, "..", "..");
export const PASSWORD = "e2e-password-123";

export async function startMonitor(extraEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), "monitor-e2e-"));
  const bin = resolve(process.env.E2E_MONITOR_BIN || join(ROOT, "target", "release", "monitor"));
  const child = spawn(bin, [], {
    cwd: dir,
    env: {
      // The monitor refuses unknown MONITOR_* settings: pass only ours.
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("MONITOR_"))),
      MONITOR_SERVER__PORT: "0",
      MONITOR_DATABASE__URL: `sqlite://${join(dir, "monitor.db")}`,
      MONITOR_ADMIN_PASSWORD: PASSWORD,
      MONITOR_SERVER__SITE_ROOT: join(ROOT, "target", "site"),
      MONITOR_SERVER__SDK_DIR: process.env.SDK_OUT || join(ROOT, "target", "sdk"),
      ...extraEnv,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const base = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error("monitor did not start in 30 s")), 30_000);
    child.once("error", fail);
    child.once("exit", (code) => fail(new Error(`monitor exited with ${code}`)));
    lines.on("line", (line) => {
      const m = line.match(/serving (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
  });
  return {
    base,
    async stop() {
      const exited = new Promise((ok) => child.once("exit", ok));
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run",
    ],
  });
}

/// Collects console errors and uncaught exceptions of a page.
export function watchErrors(page) {
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

/// Retries `fn` until it returns a truthy value or `ms` pass.
export async function eventually(fn, ms = 15_000, every = 250) {
  const until = Date.now() + ms;
  let last;
  while (Date.now() < until) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(`condition not met in ${ms} ms (last: ${last})`);
}

/// Signs `page` in as the admin through the login form; its context keeps the session.
export async function signIn(page, base) {
  await page.goto(base + "/login");
  await page.fill("input[name=username]", "admin");
  await page.fill("input[name=password]", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForURL(base + "/");
}

/// A new `ingest` API token, made by the signed-in `request` context: what a server sends
/// business events, logs and custom metrics with (the public key only sends browser data).
export async function ingestToken(request, base) {
  const r = await request.post(base + "/api/v1/tokens", { data: { name: "e2e-ingest", scope: "ingest" } });
  if (r.status() !== 201) throw new Error(`token: ${r.status()} ${await r.text()}`);
  return (await r.json()).token;
}
