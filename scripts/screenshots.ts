/**
 * npm run screenshots: pictures of both tabs for the README, taken in Debian's Chromium (playwright-core) from
 * a local bot with generated data (300 simulated people over 13 months, and the Playground's mock user Priya
 * Shah with two sessions' ratings, a plan and a booking). Writes docs/screenshots/service-tab.png and
 * docs/screenshots/my-coaching-tab.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openBrowser } from './chromium';
import { startBot } from '../src/app';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { PRIYA, seedTabDemo } from './tabDemo';

async function main(): Promise<void> {
  const out = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');
  mkdirSync(out, { recursive: true });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'coaching-screenshots-'));
  const config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', LOCAL_DATA_DIR: dataDir, SERVICE_LEAD_IDS: PRIYA.aadObjectId });
  // The embedded store in memory only: no snapshot to disk after every write while thousands of events go in.
  const bot = await startBot({ ...config, store: { ...config.store, dataDir: '' } as typeof config.store }, createLogger('silent'), {
    outbox: { autoStart: false },
    jobs: { autoStart: false },
    monthlyReports: { autoStart: false },
  });
  const browser = await openBrowser();
  const context = browser.context;
  try {
    process.stdout.write('Generating service data…\n');
    await seedTabDemo(bot, { people: 300, months: 13, now: new Date(), seed: 2026, slotWeeks: 8 });
    const page = await context.newPage();
    for (const [tab, file] of [
      ['service?period=12m', 'service-tab.png'],
      ['my-coaching', 'my-coaching-tab.png'],
    ] as const) {
      await page.goto(`${bot.url}/tabs/${tab}`);
      await page.locator('#app[data-ready="true"]').waitFor({ state: 'attached', timeout: 60_000 });
      await page.screenshot({ path: path.join(out, file), fullPage: true });
      process.stdout.write(`Wrote ${path.relative(process.cwd(), path.join(out, file))}\n`);
    }
  } finally {
    await browser.close();
    await bot.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`Screenshots failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
