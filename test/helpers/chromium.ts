import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export type BrowserContext = import('playwright-core').BrowserContext;

/**
 * Debian's Chromium, headless, with a throwaway profile; or why it cannot run here. With COFFER_REQUIRE_BROWSER=1
 * (CI) a browser that cannot start throws instead, so the test fails rather than skips. `close` also removes the
 * profile.
 */
export async function launchChromium(): Promise<{ browser: BrowserContext; close(): Promise<void> } | string> {
  const fail = (reason: string) => {
    if (process.env.COFFER_REQUIRE_BROWSER === '1') throw new Error(`COFFER_REQUIRE_BROWSER=1 but ${reason}`);
    return reason;
  };
  if (!fs.existsSync(CHROMIUM)) return fail(`${CHROMIUM} is missing (apt-get install -y chromium)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-chromium-'));
  try {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      timeout: 30_000,
      viewport: { width: 1280, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    return {
      browser,
      async close() {
        await browser.close();
        fs.rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    fs.rmSync(profile, { recursive: true, force: true });
    return fail(`chromium could not be launched: ${(error as Error).message.split('\n')[0]}`);
  }
}
