#!/usr/bin/env node
'use strict';

/**
 * Draws the Teams app icons, so they can be made again exactly:
 *
 *   node scripts/icons.js
 *
 * - deployment/appPackage/color.png   192×192, full colour: an NHS-blue rounded square with a white mark
 *   (three rising steps, for the coaching scale from 1 to 10), edges smoothed.
 * - deployment/appPackage/outline.png 32×32, the same mark in white on a transparent background. Teams
 *   wants only white and transparency here, so it has no smoothing: every pixel is fully transparent or
 *   opaque white.
 *
 * Plain Node and pngjs; the same input always gives the same bytes. test/appPackage.test.ts checks the
 * sizes and the outline's pixels.
 */

const fs = require('node:fs');
const path = require('node:path');
const { PNG } = require('pngjs');

const OUT_DIR = path.join(__dirname, '..', 'deployment', 'appPackage');
const NHS_BLUE = [0x00, 0x5e, 0xb8];
const WHITE = [0xff, 0xff, 0xff];

/** True if (x, y) lies inside the rectangle with rounded corners of radius r. */
function inRoundedRect(x, y, rect) {
  const { left, top, right, bottom, r } = rect;
  if (x < left || x > right || y < top || y > bottom) return false;
  const cx = Math.min(Math.max(x, left + r), right - r);
  const cy = Math.min(Math.max(y, top + r), bottom - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** Three rising bars, bottom-aligned, inside a square of the given size starting at (ox, oy). */
function steps(ox, oy, size) {
  const barWidth = size / 4;
  const gap = size / 8;
  const heights = [0.4, 0.7, 1];
  return heights.map((h, i) => {
    const left = ox + i * (barWidth + gap);
    return { left, top: oy + size * (1 - h), right: left + barWidth, bottom: oy + size, r: barWidth / 4 };
  });
}

/**
 * Paints an image pixel by pixel: `colourAt(x, y)` gives [r, g, b, a] (0–255) for a point; with
 * `samples` > 1 each pixel is the average of samples×samples points (smooth edges).
 */
function paint(size, samples, colourAt) {
  const png = new PNG({ width: size, height: size, colorType: 6 });
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy += 1) {
        for (let sx = 0; sx < samples; sx += 1) {
          const [cr, cg, cb, ca] = colourAt(x + (sx + 0.5) / samples, y + (sy + 0.5) / samples);
          r += cr * ca;
          g += cg * ca;
          b += cb * ca;
          a += ca;
        }
      }
      const i = (y * size + x) * 4;
      const n = samples * samples;
      png.data[i] = a ? Math.round(r / a) : 0;
      png.data[i + 1] = a ? Math.round(g / a) : 0;
      png.data[i + 2] = a ? Math.round(b / a) : 0;
      png.data[i + 3] = Math.round(a / n);
    }
  }
  return PNG.sync.write(png, { colorType: 6 });
}

function colourIcon() {
  const size = 192;
  const background = { left: 0, top: 0, right: size, bottom: size, r: 40 };
  const bars = steps(48, 48, 96);
  return paint(size, 4, (x, y) => {
    if (bars.some((bar) => inRoundedRect(x, y, bar))) return [...WHITE, 255];
    if (inRoundedRect(x, y, background)) return [...NHS_BLUE, 255];
    return [0, 0, 0, 0];
  });
}

function outlineIcon() {
  const size = 32;
  const bars = steps(4, 4, 24);
  // One sample at each pixel's centre: no partly transparent pixels.
  return paint(size, 1, (x, y) => (bars.some((bar) => inRoundedRect(x, y, bar)) ? [...WHITE, 255] : [0, 0, 0, 0]));
}

function writeIcons(outDir = OUT_DIR) {
  fs.mkdirSync(outDir, { recursive: true });
  const files = { 'color.png': colourIcon(), 'outline.png': outlineIcon() };
  for (const [name, bytes] of Object.entries(files)) fs.writeFileSync(path.join(outDir, name), bytes);
  return Object.keys(files).map((name) => path.join(outDir, name));
}

module.exports = { writeIcons, colourIcon, outlineIcon };

if (require.main === module) {
  for (const file of writeIcons()) console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
