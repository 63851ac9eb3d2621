// Restaurant OS Monitor RUM SDK: the JS shell around the wasm core (sdk/src).
//   <script type="module" src="https://MONITOR/sdk/rum.js" data-key="PUBLIC_KEY"></script>
// starts it with defaults (data-sample-rate, data-release, data-environment optional).
// For full control:
//   import { init, setTag, setUser } from "https://MONITOR/sdk/rum.js";
//   init({ key, sampleRate: 0.5, enabled: true, release, environment, page,
//          ignore: ["..."], route: (url) => "/template" });
//   setTag("restaurant_id", "r-17"); setUser({ id: "u-1", role: "cashier" });
// The shell owns what touches the page (observers, fetch/XHR/history hooks, listeners,
// the network); the core measures, rates, templates, queues and encodes. Nothing here
// may throw into the host page or slow it: every hook calls the original first and
// records in a try/catch; beacons go with sendBeacon, or fetch keepalive without cookies.
import load, { Rum } from "./rum_sdk.js";

const base = import.meta.url;
const sdkDir = new URL(".", base).href;
const W = window;
const P = performance;
let rum, started, page, own, customRoute;
const crumbs = [];
const pending = []; // calls made before the wasm is ready: replayed once it is
const quiet = (f) => (...a) => {
  try {
    return f(...a);
  } catch (_) {}
};
const crumb = (category, message) => {
  crumbs.push({ ts: Date.now(), category, message });
  crumbs.length > 30 && crumbs.shift();
};
const rawFetch = W.fetch;

function post(body, tries) {
  rawFetch(rum.url, { method: "POST", body, keepalive: true, credentials: "omit" })
    .then((r) => {
      if (r.status > 499 || r.status == 429) throw 0;
    })
    .catch(() => tries < 3 && setTimeout(() => post(body, tries + 1), 2000 * 2 ** tries));
}

const flush = quiet(() => {
  for (let body; (body = rum.nextBatch()); ) navigator.sendBeacon(rum.url, body) || post(body, 0);
});

// A path segment that is an id: a number, a UUID or hex, or a long token with digits.
const isId = (s) => /^\d+$/.test(s) || (/\d/.test(s) && (/^[\da-f-]{8,}$/i.test(s) || s.length > 15));
/** `url` as a route template (`/api/orders/:id`): the server groups endpoints by it. */
const template = (url) => {
  const u = new URL(url);
  const path = u.pathname.split("/").filter(Boolean).map((s) => "/" + (isId(s) ? ":id" : s));
  return (u.host == location.host ? "" : u.host) + (path.join("") || "/");
};

// Until the wasm is ready, what the hooks see waits here (bounded) and is replayed.
const later = (f) => quiet((...a) => (rum ? f(...a) : pending.length < 50 && pending.push(() => f(...a))));

const api = later((method, url, status, duration) => {
  url = new URL(url, location.href).href;
  // Our own beacons and files (the wasm loads through the hooked fetch) are not the page's.
  if (url.startsWith(own) || url.startsWith(sdkDir)) return;
  const m = (method || "GET").toUpperCase();
  const route = (customRoute || template)(url);
  rum.add({ type: "api", page, method: m, url: route, status, duration, ts: Date.now() });
  crumb("api", `${m} ${route} ${status}`);
});

const report = later((e, fallback) => {
  rum.add({
    type: "error", page, ts: Date.now(), name: (e && e.name) || "Error",
    message: String((e && e.message) || fallback || e), stack: e && e.stack, breadcrumbs: crumbs.slice(),
  }) && flush();
});

function observe(type, f, extra) {
  try {
    new PerformanceObserver((l) => l.getEntries().forEach(quiet(f))).observe({ type, buffered: true, ...extra });
  } catch (_) {}
}

const navigated = later(() => {
  const now = location.pathname;
  if (now == page) return;
  rum.vitals(page);
  crumb("navigation", `${page} -> ${now}`);
  page = now;
  rum.add({ type: "pageload", page, ts: Date.now() });
});

function hooks() {
  W.fetch = function (input, init) {
    const start = P.now();
    const method = (init && init.method) || (input && input.method);
    const url = (input && input.url) || input;
    const p = rawFetch.apply(this, arguments);
    p.then((r) => api(method, url, r.status, P.now() - start), () => api(method, url, 0, P.now() - start));
    return p;
  };
  const X = XMLHttpRequest.prototype;
  const open = X.open;
  const send = X.send;
  X.open = function (m, u) {
    this._rosm = [m, u];
    return open.apply(this, arguments);
  };
  X.send = function () {
    const [m, u] = this._rosm || [];
    const start = P.now();
    quiet(() => this.addEventListener("loadend", () => api(m, u, this.status, P.now() - start)))();
    return send.apply(this, arguments);
  };
  for (const m of ["pushState", "replaceState"]) {
    const orig = history[m];
    history[m] = function () {
      const r = orig.apply(this, arguments);
      navigated();
      return r;
    };
  }
  addEventListener("popstate", navigated);
  addEventListener("error", (e) => report(e.error, e.message));
  addEventListener("unhandledrejection", (e) => report(e.reason, "Unhandled promise rejection"));
}

function run() {
  observe("largest-contentful-paint", (e) => rum.lcp(e.startTime));
  observe("layout-shift", (e) => e.hadRecentInput || rum.shift(e.value, e.startTime));
  observe("event", (e) => e.interactionId && rum.interaction(e.duration), { durationThreshold: 16 });
  const memory = quiet(() => {
    const m = P.memory;
    m && rum.add({ type: "memory", page, ts: Date.now(), used: m.usedJSHeapSize, total: m.totalJSHeapSize, limit: m.jsHeapSizeLimit });
  });
  // Navigation and Paint Timing, ms since navigation start; 0 means "did not happen".
  const pageLoad = quiet(() => {
    const n = P.getEntriesByType("navigation")[0];
    if (!n) return;
    const b = { type: "pageload", page, ts: Date.now() };
    const ms = (k, v) => v > 0 && (b[k] = Math.round(v * 10) / 10);
    ms("ttfb", n.responseStart);
    ms("dcl", n.domContentLoadedEventEnd);
    ms("load", n.loadEventEnd);
    P.getEntriesByType("paint").forEach((e) => ms(e.name == "first-paint" ? "fp" : "fcp", e.startTime));
    rum.add(b);
  });
  const report = quiet(() => (pageLoad(), memory(), flush()));
  // First paint can come after `load` (a tiny page, a busy machine): wait for it, 3 s at most.
  const loaded = quiet(() => {
    if (P.getEntriesByType("paint").length) return setTimeout(report, 0);
    let done = 0;
    const once = () => done++ || report();
    observe("paint", once);
    setTimeout(once, 3000);
  });
  document.readyState == "complete" ? loaded() : addEventListener("load", loaded, { once: true });
  setInterval(memory, 30000);
  setInterval(flush, 10000);
  const hide = quiet(() => (rum.vitals(page), flush()));
  addEventListener("pagehide", hide);
  document.addEventListener("visibilitychange", () => document.hidden && hide());
}

/** Starts the SDK; resolves `true` when it runs (not disabled, not sampled out). */
export async function init(options = {}) {
  try {
    if (rum || started || options.enabled === false) return !!rum;
    started = 1;
    // Hooks go in at once, so calls made while the wasm loads are measured too.
    page = options.page || location.pathname;
    customRoute = typeof options.route == "function" && options.route;
    own = new URL(options.endpoint || "/api/rum", base).href;
    hooks();
    await load({ module_or_path: new URL("rum_sdk_bg.wasm", base) });
    rum = Rum.start({ endpoint: own, ...options });
    if (!rum) return (pending.length = 0), false;
    run();
    pending.splice(0).forEach((f) => f());
    return true;
  } catch (_) {
    return false;
  }
}

/** Tags every beacon, e.g. `setTag("restaurant_id", "r-17")`. */
export const setTag = later((k, v) => rum.setTag(String(k), String(v)));
/** The person using the page: `{ id, email, role, restaurant_id }`. */
export const setUser = later((u) => rum.setUser(u));

const tag = document.querySelector('script[data-key][src*="/sdk/rum.js"]');
if (tag) {
  const d = tag.dataset;
  const rate = parseFloat(d.sampleRate);
  init({ key: d.key, release: d.release, environment: d.environment, ...(rate >= 0 ? { sampleRate: rate } : {}) });
}
