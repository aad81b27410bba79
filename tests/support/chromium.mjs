// Debian's Chromium through playwright-core (no browser download), with the flags this
// machine needs: as root without a sandbox, and no background calls to closed networks.
import { chromium } from 'playwright-core';

export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
