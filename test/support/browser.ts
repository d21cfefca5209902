/** The browser tests' Chromium: the same launcher as `npm run screenshots` (scripts/chromium.ts). */
export { CHROMIUM, haveChromium, openBrowser } from '../../scripts/chromium';
