// Headless Chromium for the browser tests: Debian's /usr/bin/chromium (or $CHROMIUM_PATH)
// driven by playwright-core, which never downloads a browser of its own.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * A test's `skip` option: false when Chromium is there, else why not. Under CI (`CI` set) the
 * tests never skip: `npm test` runs `scripts/setup.sh test`, which installs chromium as root, so
 * a missing browser there is a failure, not a reason to skip.
 */
export const skipWithoutChromium = existsSync(CHROMIUM) || process.env.CI
  ? false
  : `no ${CHROMIUM}: install Debian's chromium (scripts/setup.sh test does, as root) or set CHROMIUM_PATH`;

/** Launches Chromium with a fresh profile; close() also removes the profile. */
export async function launchChromium() {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (CI is set, so the browser tests do not skip): run scripts/setup.sh test as root`);
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(path.join(tmpdir(), 'partita-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens a page with the network cut: every request that leaves `origin` is recorded in
 * `problems.external` and aborted (as if offline), so a page that needs a CDN fails. Uncaught
 * errors and console errors go to `problems.errors`; `requests` lists every URL requested (to
 * check the listener saw the page's traffic at all).
 */
export async function openPage(context, origin) {
  const page = await context.newPage();
  const problems = { errors: [], external: [] };
  const requests = [];
  const local = (url) => url.startsWith(origin + '/') || url.startsWith('data:') || url.startsWith('blob:');
  await page.route((url) => !local(url.href), (route) => route.abort('internetdisconnected'));
  page.on('pageerror', (e) => problems.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.errors.push(`console: ${m.text()}`); });
  page.on('request', (r) => {
    requests.push(r.url());
    if (!local(r.url())) problems.external.push(r.url());
  });
  return { page, problems, requests };
}
