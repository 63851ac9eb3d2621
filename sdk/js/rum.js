// Restaurant OS Monitor RUM SDK loader.
//   <script type="module" src="https://MONITOR/sdk/rum.js" data-key="PUBLIC_KEY"></script>
// starts it with defaults (data-sample-rate="0.5" samples). For full control:
//   import { init } from "https://MONITOR/sdk/rum.js";
//   init({ key: "PUBLIC_KEY", sampleRate: 0.5, enabled: true, page: "/menu" });
// It never throws into the page: any failure leaves the page as it was.
import load, { start } from "./rum_sdk.js";

const base = import.meta.url;
let ready;

export async function init(options = {}) {
  try {
    ready = ready || load({ module_or_path: new URL("rum_sdk_bg.wasm", base) });
    await ready;
    return start({ endpoint: new URL("/api/rum", base).href, ...options });
  } catch (_) {
    return false;
  }
}

const tag = document.querySelector('script[data-key][src*="/sdk/rum.js"]');
if (tag) {
  const rate = parseFloat(tag.dataset.sampleRate);
  init({ key: tag.dataset.key, ...(rate >= 0 ? { sampleRate: rate } : {}) });
}
