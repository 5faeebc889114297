// Headless Chromium (Debian's, or $CHROMIUM) as the browser tests and benches open it:
// playwright-core runs it headless with a fresh temporary profile of its own, and nothing
// in it reaches the network on its own.
import { chromium } from "playwright-core";

export const launchChromium = () => chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  timeout: 30_000,
});
