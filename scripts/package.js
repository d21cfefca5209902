#!/usr/bin/env node
'use strict';

/**
 * Builds the Teams app package (the zip an administrator uploads in the Teams admin centre):
 *
 *   MicrosoftAppId=<client id> BOT_DOMAIN=<app>.azurewebsites.net \
 *   PRIVACY_URL=https://… TERMS_URL=https://… npm run package
 *
 *   npm run package -- --dev          placeholder values for local testing (not for upload to a real tenant)
 *   npm run package -- --out <file>   write the zip somewhere else
 *
 * It reads deployment/appPackage/manifest.json, replaces each ${{NAME}} with the value below, and writes
 * deployment/appPackage/build/coaching-bot.zip with manifest.json, color.png and outline.png at its root.
 * It checks nothing else: test/appPackage.test.ts validates the result against the Teams schema kept in
 * deployment/appPackage/schema/.
 *
 * Values (environment variables):
 *   MicrosoftAppId   required: the bot's app id (the managed identity's client id, the `microsoftAppId`
 *                    output of deployment/infra/main.bicep); used as both BOT_ID and the Teams APP_ID
 *   BOT_DOMAIN       required: the web app's host name, e.g. app-coachbot-xyz.azurewebsites.net (the tabs
 *                    are served from it too)
 *   TAB_SSO_CLIENT_ID required: the application (client) id of the tabs' single sign-on app registration
 *                    (webApplicationInfo; DEPLOY.md step 2b)
 *   PRIVACY_URL      required: https link to your privacy notice for this service
 *   TERMS_URL        required: https link to your terms of use
 *   WEBSITE_URL      optional: https link to a support page (default: PRIVACY_URL)
 *   DEVELOPER_NAME   optional: who publishes the app in your organisation, up to 32 characters
 *                    (default: "NHS staff wellbeing")
 *   APP_VERSION      optional: the app's version, x.y.z (default: "version" in package.json); raise it
 *                    whenever you upload a changed package
 */

const fs = require('node:fs');
const path = require('node:path');
const { zipSync, strToU8 } = require('fflate');

const ROOT = path.join(__dirname, '..');
const APP_PACKAGE_DIR = path.join(ROOT, 'deployment', 'appPackage');
const DEFAULT_OUT = path.join(APP_PACKAGE_DIR, 'build', 'coaching-bot.zip');
const FILES = ['manifest.json', 'color.png', 'outline.png'];
/** A fixed time for every entry, so the same inputs always give the same zip. */
const ZIP_TIME = new Date('2020-01-01T00:00:00Z');

const REQUIRED = {
  MicrosoftAppId: "the bot's app id (the managed identity's client id; the microsoftAppId output of the Azure deployment)",
  BOT_DOMAIN: "the web app's host name, e.g. app-coachbot-xyz.azurewebsites.net",
  TAB_SSO_CLIENT_ID: "the application (client) id of the tabs' single sign-on app registration (DEPLOY.md, step 2b)",
  PRIVACY_URL: 'an https link to your privacy notice',
  TERMS_URL: 'an https link to your terms of use',
};

/** Stand-ins for trying the package step locally; not a usable bot registration. */
const DEV_DEFAULTS = {
  MicrosoftAppId: '00000000-0000-0000-0000-000000000000',
  BOT_DOMAIN: 'localhost',
  TAB_SSO_CLIENT_ID: '11111111-1111-1111-1111-111111111111',
  PRIVACY_URL: 'https://localhost/privacy',
  TERMS_URL: 'https://localhost/terms',
};

class PackageError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PackageError';
  }
}

function given(value) {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The value for each placeholder, from the environment (and, with dev, the stand-ins for missing ones). */
function placeholderValues(env, dev) {
  const read = (name) => given(env[name]) ?? (dev ? DEV_DEFAULTS[name] : undefined);
  const missing = Object.keys(REQUIRED).filter((name) => read(name) === undefined);
  if (missing.length > 0) {
    const name = missing[0];
    throw new PackageError(
      `${name} is not set: it should be ${REQUIRED[name]}` +
        (missing.length > 1 ? ` (also missing: ${missing.slice(1).join(', ')})` : '') +
        '. Set it in the environment, or use --dev for placeholder values.',
    );
  }
  const appId = read('MicrosoftAppId');
  const privacyUrl = read('PRIVACY_URL');
  const packageVersion = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
  return {
    APP_ID: appId,
    BOT_ID: appId,
    // A host name only: validDomains takes no scheme or path.
    BOT_DOMAIN: read('BOT_DOMAIN').replace(/^https?:\/\//i, '').replace(/\/.*$/, ''),
    TAB_SSO_CLIENT_ID: read('TAB_SSO_CLIENT_ID'),
    PRIVACY_URL: privacyUrl,
    TERMS_URL: read('TERMS_URL'),
    WEBSITE_URL: given(env.WEBSITE_URL) ?? privacyUrl,
    DEVELOPER_NAME: given(env.DEVELOPER_NAME) ?? 'NHS staff wellbeing',
    APP_VERSION: given(env.APP_VERSION) ?? packageVersion,
  };
}

/** Replaces every ${{NAME}} in the manifest text; each value is escaped for a JSON string. */
function substitute(text, values) {
  return text.replace(/\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, name) => {
    if (!(name in values)) throw new PackageError(`manifest.json uses \${{${name}}} but the package step has no value for it.`);
    return JSON.stringify(String(values[name])).slice(1, -1);
  });
}

/**
 * Builds the zip. Options: env (default process.env), dev (use stand-ins for missing values),
 * outFile (default deployment/appPackage/build/coaching-bot.zip), sourceDir (default deployment/appPackage).
 * Returns { outFile, manifest } (manifest as the parsed object that went into the zip).
 */
function buildPackage({ env = process.env, dev = false, outFile = DEFAULT_OUT, sourceDir = APP_PACKAGE_DIR } = {}) {
  const values = placeholderValues(env, dev);
  const manifestText = substitute(fs.readFileSync(path.join(sourceDir, 'manifest.json'), 'utf8'), values);
  const entries = {};
  for (const name of FILES) {
    const data = name === 'manifest.json' ? strToU8(manifestText) : fs.readFileSync(path.join(sourceDir, name));
    entries[name] = [data, { mtime: ZIP_TIME }];
  }
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, zipSync(entries, { level: 9 }));
  return { outFile, manifest: JSON.parse(manifestText) };
}

function parseArgs(argv) {
  const options = { dev: false, outFile: DEFAULT_OUT };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--dev') options.dev = true;
    else if (arg === '--out' && argv[i + 1]) options.outFile = path.resolve(argv[(i += 1)]);
    else throw new PackageError(`unknown argument "${arg}" (expected --dev or --out <file>)`);
  }
  return options;
}

function main() {
  try {
    const options = parseArgs(process.argv.slice(2));
    const { outFile, manifest } = buildPackage({ env: process.env, ...options });
    if (options.dev) console.warn('Using --dev placeholder values where settings are missing: this package is for local testing only.');
    console.log(`Wrote ${path.relative(process.cwd(), outFile)} (app id ${manifest.id}, version ${manifest.version}, bot domain ${manifest.validDomains[0]}).`);
  } catch (err) {
    if (!(err instanceof PackageError)) throw err;
    console.error(`Package error: ${err.message}`);
    process.exitCode = 1;
  }
}

module.exports = { buildPackage, PackageError, DEFAULT_OUT, FILES };

if (require.main === module) main();
