// Restaurant OS Monitor RUM SDK: the JS shell around the wasm core (sdk/src).
//   <script type="module" src="https://MONITOR/sdk/rum.js" data-key="PUBLIC_KEY"></script>
// starts it with defaults (add data-sample-rate="0.5" to sample). For full control:
//   import { init } from "https://MONITOR/sdk/rum.js";
//   init({ key: "PUBLIC_KEY", sampleRate: 0.5, enabled: true, page: "/menu" });
// The shell owns page events and the network; the core measures, queues and encodes.
// Nothing here may throw into the host page: every entry point swallows its errors.
import load, { Rum } from "./rum_sdk.js";

const base = import.meta.url;
let started;

const quiet = (f) => (...a) => {
  try {
    f(...a);
  } catch (_) {}
};

function run(rum) {
  const url = rum.url;
  const flush = quiet(() => {
    for (let body; (body = rum.nextBatch()); ) {
      if (!navigator.sendBeacon(url, body)) {
        fetch(url, { method: "POST", body, keepalive: true, credentials: "omit" }).catch(() => {});
      }
    }
  });
  const loaded = quiet(() => setTimeout(quiet(() => (rum.pageLoaded(), flush())), 0));
  document.readyState === "complete" ? loaded() : addEventListener("load", loaded, { once: true });
  addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", () => document.hidden && flush());
}

export async function init(options = {}) {
  try {
    await load({ module_or_path: new URL("rum_sdk_bg.wasm", base) });
    if (started) return true;
    const rum = Rum.start({ endpoint: new URL("/api/rum", base).href, ...options });
    if (!rum) return false;
    started = rum;
    run(rum);
    return true;
  } catch (_) {
    return false;
  }
}

const tag = document.querySelector('script[data-key][src*="/sdk/rum.js"]');
if (tag) {
  const rate = parseFloat(tag.dataset.sampleRate);
  init({ key: tag.dataset.key, ...(rate >= 0 ? { sampleRate: rate } : {}) });
}
