#!/usr/bin/env node
/**
 * `npm run --silent screen`: starts the screening CLI (src/safety/screenCli.ts) from dist/, compiling first
 * only when dist/ is missing or older than the sources it is built from, so a call costs a Node start-up,
 * not a TypeScript build. What it prints is the CLI's own JSON Lines; the build's messages go to stderr.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const { readdirSync, statSync, existsSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const cli = path.join(root, 'dist', 'src', 'safety', 'screenCli.js');

function newestIn(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestIn(full));
    else if (/\.(ts|json)$/.test(entry.name) && !entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

if (!existsSync(cli) || statSync(cli).mtimeMs < newestIn(path.join(root, 'src'))) {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: ['ignore', 2, 2] });
}
require(cli).main();
