/**
 * A real headless browser for tests of what operators open in one (the plan report, the status
 * page): Debian's `chromium`, which `.ci/run` installs, driven by playwright-core. Where no Chromium
 * is found (CHROMIUM_PATH, or /usr/bin/chromium), the suites using it are skipped, as the AD suites
 * are without a domain controller.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/** `describe` when Chromium is here, `describe.skip` otherwise (undefined outside jest: the bench imports this file too). */
export const describeInBrowser: jest.Describe = typeof describe === 'undefined' ? (undefined as unknown as jest.Describe)
  : CHROMIUM_PATH ? describe : describe.skip;

export function launchBrowser(): Promise<Browser> {
  if (!CHROMIUM_PATH) throw new Error('no Chromium: install Debian\'s chromium or set CHROMIUM_PATH');
  // No sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
}
