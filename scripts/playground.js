#!/usr/bin/env node
'use strict';

/**
 * Runs the bot and the Microsoft 365 Agents Playground (a local Teams emulator) together, so you can
 * chat with the bot in a browser with no Azure account, tunnel or Teams tenant.
 *
 *   npm run build && node scripts/playground.js      (or: npm run playground)
 *
 * It builds nothing: it starts the compiled bot (dist/src/index.js, unauthenticated because
 * MicrosoftAppId is empty, with the embedded store), waits for /healthz, then starts the Playground
 * from node_modules pointed at the bot with channel msteams, and prints the URL to open.
 * Ctrl-C (or SIGTERM) stops both; the bot gets SIGTERM and its shutdown grace to save.
 * If either one exits, the other is stopped and this exits with that one's code.
 *
 * Settings (environment, or .env for the bot's own settings):
 *   PORT                  the bot's port (default 3978; 0 = pick a free one)
 *   PLAYGROUND_PORT       the Playground's port (default 56150, its own default; a free one if busy)
 *   BOT_START_TIMEOUT_SECONDS   how long to wait for the bot's /healthz (default 60)
 * The mock users, group chat and team are in .m365agentsplayground.yml at the project root.
 * The Playground writes its log to .data/m365agentsplayground.log (when its output is not a terminal,
 * that log is the only place its messages go).
 */

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const util = require('node:util');

const root = path.resolve(__dirname, '..');
const botEntry = path.join(root, 'dist', 'src', 'index.js');
const PLAYGROUND_PACKAGE = '@microsoft/m365agentsplayground';
const DEFAULT_BOT_PORT = 3978;
const DEFAULT_PLAYGROUND_PORT = 56150;
const PLAYGROUND_START_TIMEOUT_MS = 30_000;

const say = (message) => process.stdout.write(`[playground] ${message}\n`);
const complain = (message) => process.stderr.write(`[playground] ${message}\n`);

/** Settings from the environment first, then the project's .env (which the bot also reads), like the bot. */
function setting(name) {
  if (process.env[name] !== undefined && process.env[name].trim() !== '') return process.env[name].trim();
  const envFile = path.join(root, '.env');
  if (!fs.existsSync(envFile)) return undefined;
  try {
    const value = util.parseEnv(fs.readFileSync(envFile, 'utf8'))[name];
    return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
  } catch {
    return undefined;
  }
}

function parsePort(name, value, fallback) {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name} must be a whole number between 0 and 65535 (got ${JSON.stringify(value)})`);
  }
  return port;
}

/** True if nothing listens on the port (checked the way both servers listen: all interfaces). */
function portIsFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** GET a URL on 127.0.0.1; resolves with the status code, or undefined if nothing answered. */
function httpStatus(url, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The Playground's real CLI entry, from its package.json "bin" (never an npx download). */
function playgroundEntry() {
  let manifestPath;
  try {
    manifestPath = require.resolve(`${PLAYGROUND_PACKAGE}/package.json`, { paths: [root] });
  } catch {
    throw new Error(`${PLAYGROUND_PACKAGE} is not installed. Run \`npm ci\` (it is a devDependency, so do not use --omit=dev).`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.agentsplayground ?? Object.values(manifest.bin ?? {})[0];
  if (!bin) throw new Error(`${PLAYGROUND_PACKAGE}@${manifest.version} declares no "bin" in its package.json.`);
  return { entry: path.resolve(path.dirname(manifestPath), bin), version: manifest.version };
}

/** A running child process, with a promise of how it ended. */
function start(name, args, env) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env,
    stdio: 'inherit',
    // Its own process group: Ctrl-C reaches only this script, which then sends each child one SIGTERM.
    detached: process.platform !== 'win32',
  });
  const exited = new Promise((resolve) => {
    child.once('error', (err) => {
      complain(`could not start the ${name}: ${err.message}`);
      resolve({ code: 1, signal: null });
    });
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { name, child, exited, running: () => child.exitCode === null && child.signalCode === null };
}

function exitCodeOf({ code, signal }) {
  if (code !== null) return code;
  return 128 + (signal ? (require('node:os').constants.signals[signal] ?? 1) : 1);
}

function describeExit({ code, signal }) {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

async function main() {
  if (!fs.existsSync(botEntry)) {
    throw new Error(`${path.relative(root, botEntry)} not found. Build the bot first: \`npm run build\`.`);
  }
  const playground = playgroundEntry();
  const configFile = path.join(root, '.m365agentsplayground.yml');
  if (!fs.existsSync(configFile) && !process.env.M365_AGENTS_PLAYGROUND_CONFIG_PATH) {
    complain(`${path.basename(configFile)} not found: the Playground will use its built-in mock users.`);
  }
  if (setting('MicrosoftAppId')) {
    complain(
      'MicrosoftAppId is set (environment or .env), so the bot expects Bot Framework tokens and the Playground\'s ' +
        'messages will be refused (401). For the Playground, leave MicrosoftAppId empty.',
    );
  }

  // --- Ports -------------------------------------------------------------------------------------
  let botPort = parsePort('PORT', setting('PORT'), DEFAULT_BOT_PORT);
  if (botPort === 0) botPort = await freePort();
  else if (!(await portIsFree(botPort))) {
    throw new Error(`port ${botPort} is already in use (another bot still running?). Stop it, or choose another: PORT=3979 npm run playground`);
  }
  const wantedPlaygroundPort = parsePort(
    'PLAYGROUND_PORT',
    process.env.PLAYGROUND_PORT || process.env.TEAMSAPPTESTER_PORT || undefined,
    DEFAULT_PLAYGROUND_PORT,
  );
  let playgroundPort = wantedPlaygroundPort === 0 ? await freePort() : wantedPlaygroundPort;
  if (playgroundPort === botPort || !(await portIsFree(playgroundPort))) {
    playgroundPort = await freePort();
    complain(`port ${wantedPlaygroundPort} is in use; the Playground will use ${playgroundPort} instead.`);
  }
  // 127.0.0.1, not localhost: localhost may resolve to ::1 first, and neither side needs to care.
  const botEndpoint = `http://127.0.0.1:${botPort}/api/messages`;
  const serviceUrl = `http://127.0.0.1:${playgroundPort}/_connector`;

  // --- Shutdown ------------------------------------------------------------------------------------
  const children = [];
  let stopping;
  /** Stops every running child: SIGTERM, then SIGKILL if it has not gone after its grace. */
  const stopAll = (graceMs) => {
    stopping ??= Promise.all(
      children.map(async (c) => {
        if (!c.running()) return c.exited;
        try {
          c.child.kill('SIGTERM');
        } catch {
          /* already gone */
        }
        const timer = setTimeout(() => {
          if (c.running()) {
            complain(`the ${c.name} did not stop within ${Math.round(graceMs / 1000)} s; killing it.`);
            c.child.kill('SIGKILL');
          }
        }, graceMs);
        const result = await c.exited;
        clearTimeout(timer);
        return result;
      }),
    );
    return stopping;
  };
  // The bot's own grace for turns in progress, plus time to save its store.
  const shutdownGraceMs = (Number(setting('SHUTDOWN_GRACE_SECONDS')) || 20) * 1000 + 10_000;
  let signalled = false;
  let firstSignalAt = 0;
  const onSignal = (signal) => {
    if (signalled) {
      // `npm run` forwards the terminal's Ctrl-C, so one keypress can arrive twice: only a later one forces.
      if (firstSignalAt && Date.now() - firstSignalAt > 3000) {
        complain(`${signal} again: killing both now.`);
        children.forEach((c) => c.running() && c.child.kill('SIGKILL'));
      }
      return;
    }
    signalled = true;
    firstSignalAt = Date.now();
    say(`${signal} received: stopping the Playground and the bot (the bot saves before it exits)...`);
    stopAll(shutdownGraceMs).then((results) => {
      const code = results[0] ? exitCodeOf(results[0]) : 0;
      if (code !== 0) complain(`the bot ${describeExit(results[0])} while stopping.`);
      say('stopped.');
      process.exit(code);
    });
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => onSignal(signal));
  // If this script dies unexpectedly, do not leave the children behind.
  process.on('exit', () => children.forEach((c) => c.running() && c.child.kill('SIGTERM')));

  /** When a child exits on its own: stop the other, then exit with the child's code. */
  const watch = (c) =>
    c.exited.then(async (result) => {
      if (signalled) return;
      signalled = true;
      const code = exitCodeOf(result);
      (code === 0 ? say : complain)(`the ${c.name} ${describeExit(result)}; stopping the rest.`);
      await stopAll(shutdownGraceMs);
      process.exit(code);
    });

  // --- The bot ---------------------------------------------------------------------------------------
  say(`starting the bot on port ${botPort} (unauthenticated local mode, embedded store)...`);
  // Roles for the mock tenant in .m365agentsplayground.yml, unless set: you (Priya Shah) are a service lead
  // and a coach, as are Helen Marsh (lead) and Daniel Okafor (coach), so every part can be tried from the browser.
  const mockRoles = {
    SERVICE_LEAD_IDS: setting('SERVICE_LEAD_IDS') ?? '0d4e8f2a-6b1c-4a97-8e35-2f7c9b1d4a01,0d4e8f2a-6b1c-4a97-8e35-2f7c9b1d4a03',
    COACH_IDS: setting('COACH_IDS') ?? '0d4e8f2a-6b1c-4a97-8e35-2f7c9b1d4a01,0d4e8f2a-6b1c-4a97-8e35-2f7c9b1d4a02',
  };
  const bot = start('bot', [botEntry], { ...process.env, ...mockRoles, PORT: String(botPort) });
  children.push(bot);

  const startTimeoutMs = (Number(process.env.BOT_START_TIMEOUT_SECONDS) || 60) * 1000;
  const deadline = Date.now() + startTimeoutMs;
  const healthUrl = `http://127.0.0.1:${botPort}/healthz`;
  for (;;) {
    if (signalled) return; // Ctrl-C while waiting: onSignal is stopping the bot and will exit.
    if (!bot.running()) {
      const result = await bot.exited;
      complain(`the bot ${describeExit(result)} before it became healthy (see its output above).`);
      process.exit(exitCodeOf(result) || 1);
    }
    if ((await httpStatus(healthUrl, 5000)) === 200) break;
    if (Date.now() > deadline) {
      complain(`the bot did not answer 200 on ${healthUrl} within ${startTimeoutMs / 1000} s; stopping it.`);
      signalled = true;
      await stopAll(shutdownGraceMs);
      process.exit(1);
    }
    await sleep(500);
  }
  if (signalled) return;
  say(`bot healthy: ${healthUrl}`);
  watch(bot);

  // --- The Playground --------------------------------------------------------------------------------
  say(`starting Microsoft 365 Agents Playground ${playground.version} on port ${playgroundPort}...`);
  const playgroundEnv = {
    ...process.env,
    // Headless/offline: no browser (it would exit without xdg-open), no telemetry.
    TEAMSAPPTESTER_BROWSER: 'none',
    APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
    M365_AGENTS_PLAYGROUND_LOGFILE:
      process.env.M365_AGENTS_PLAYGROUND_LOGFILE || process.env.TEAMSAPPTESTER_LOGFILE || path.join(root, '.data', 'm365agentsplayground.log'),
  };
  const pg = start(
    'Playground',
    [
      playground.entry,
      'start',
      '--app-endpoint', botEndpoint,
      '--channel-id', 'msteams',
      '--port', String(playgroundPort),
      '--service-url', serviceUrl,
      '--disable-telemetry',
    ],
    playgroundEnv,
  );
  children.push(pg);
  watch(pg);

  const pgDeadline = Date.now() + PLAYGROUND_START_TIMEOUT_MS;
  const pingUrl = `http://127.0.0.1:${playgroundPort}/_debug/ping`;
  while ((await httpStatus(pingUrl)) !== 200) {
    if (signalled) return;
    if (Date.now() > pgDeadline) {
      complain(`the Playground did not answer on ${pingUrl} within ${PLAYGROUND_START_TIMEOUT_MS / 1000} s; see ${playgroundEnv.M365_AGENTS_PLAYGROUND_LOGFILE}`);
      signalled = true;
      await stopAll(shutdownGraceMs);
      process.exit(1);
    }
    await sleep(300);
  }
  if (signalled) return;

  const url = `http://localhost:${playgroundPort}`;
  process.stdout.write(
    [
      '',
      '==================================================================================',
      `  Microsoft 365 Agents Playground is ready. Open in your browser:  ${url}`,
      `  (or http://127.0.0.1:${playgroundPort}; on a remote machine: ssh -L ${playgroundPort}:localhost:${playgroundPort} <host>)`,
      `  Bot: ${botEndpoint}  (channel msteams, mock users in .m365agentsplayground.yml)`,
      '  Try typing "help". In the group chat or a channel, @mention the bot.',
      `  Tabs, as Priya Shah (local mode, no sign-in): http://localhost:${botPort}/tabs/my-coaching  and  http://localhost:${botPort}/tabs/service`,
      `  Playground log: ${path.relative(root, playgroundEnv.M365_AGENTS_PLAYGROUND_LOGFILE)}`,
      '  Press Ctrl-C to stop both.',
      '==================================================================================',
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  complain(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
