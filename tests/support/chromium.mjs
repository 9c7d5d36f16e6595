// Headless Chromium for the browser tests: Debian's /usr/bin/chromium (or $CHROMIUM_PATH)
// driven by playwright-core, which never downloads a browser of its own.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A test's `skip` option: false when Chromium is there, else why not. */
export const skipWithoutChromium = existsSync(CHROMIUM) ? false : `no ${CHROMIUM} (scripts/setup.sh installs the Debian package chromium)`;

/** Launches Chromium with a fresh profile; close() also removes the profile. */
export async function launchChromium() {
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
 * Opens a page that records its problems: uncaught errors, console errors and requests that
 * leave `origin` (the tests' pages must work offline).
 */
export async function openPage(context, origin) {
  const page = await context.newPage();
  const problems = { errors: [], external: [] };
  page.on('pageerror', (e) => problems.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.errors.push(`console: ${m.text()}`); });
  page.on('request', (r) => { if (!r.url().startsWith(origin + '/') && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) problems.external.push(r.url()); });
  return { page, problems };
}
