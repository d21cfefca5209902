/**
 * The Teams app package that `npm run package` (scripts/package.js) writes is one Teams accepts and the bot
 * can honour:
 *   (a) the zip holds manifest.json, color.png and outline.png at its root, and nothing else;
 *   (b) manifest.json validates against the official Teams manifest schema, kept offline in
 *       deployment/appPackage/schema/MicrosoftTeams.schema.1.26.json: a verbatim copy of
 *       packages/manifest/src/json-schemas/teams/v1.26/MicrosoftTeams.schema.json from
 *       github.com/OfficeDev/microsoft-365-agents-toolkit (commit c7a034919229106cfb2e74e2b32b900960555122),
 *       the schema published at https://developer.microsoft.com/json-schemas/teams/v1.26/MicrosoftTeams.schema.json;
 *   (c) every ${{PLACEHOLDER}} was replaced, with the values given;
 *   (d) every command in every command list is one the bot understands (`parseCommand`, or the leads'
 *       `register referrals`, `add coach` and `remove coach`), and each scope lists the commands people need there;
 *   (e) color.png is 192×192; outline.png is 32×32 with only fully transparent or white pixels; both are
 *       what scripts/icons.js draws;
 *   (f) the script refuses, with one line, when a required setting is missing.
 *
 * The schema says draft-04 but uses later keywords (`const`), as Microsoft's own validators read it; Ajv's
 * default (draft-07) vocabulary is used, with `$schema` left out. Its one Excel pattern uses `\a`, which
 * JavaScript allows only without the `u` flag, hence `unicodeRegExp: false`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { unzipSync, strFromU8 } from 'fflate';
import { PNG } from 'pngjs';
import { normaliseCommandText, parseCommand } from '../src/turn/commands';
import { REGISTER_WORDS } from '../src/safety/leadsChannel';
import { COACH_ROLE_WORDS } from '../src/booking/coachDirectory';
import { SERVICE_REPORT_WORDS, VIEWER_WORDS } from '../src/serviceEvents/leadsCommands';

interface PackageScript {
  buildPackage(options: { env: NodeJS.ProcessEnv; dev?: boolean; outFile?: string }): { outFile: string; manifest: unknown };
}
interface IconsScript {
  colourIcon(): Buffer;
  outlineIcon(): Buffer;
}
interface Command {
  title: string;
  description: string;
}
interface Manifest {
  manifestVersion: string;
  $schema: string;
  id: string;
  version: string;
  developer: { privacyUrl: string; termsOfUseUrl: string; websiteUrl: string };
  description: { short: string; full: string };
  bots: { botId: string; scopes: string[]; supportsFiles?: boolean; commandLists: { scopes: string[]; commands: Command[] }[] }[];
  validDomains: string[];
}

const root = path.join(__dirname, '..');
const appPackageDir = path.join(root, 'deployment', 'appPackage');
const schemaFile = path.join(appPackageDir, 'schema', 'MicrosoftTeams.schema.1.26.json');
// Plain Node CommonJS scripts, loaded as they run.
const packageScript = require('../scripts/package.js') as PackageScript;
const iconsScript = require('../scripts/icons.js') as IconsScript;

const env = {
  MicrosoftAppId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  BOT_DOMAIN: 'app-coachbot-test.azurewebsites.net',
  TAB_SSO_CLIENT_ID: '7d1f9b3a-2c4e-4f6a-8b0d-1e3f5a7c9b2d',
  PRIVACY_URL: 'https://trust.example.nhs.uk/coaching/privacy',
  TERMS_URL: 'https://trust.example.nhs.uk/coaching/terms',
};

let workDir: string;
let files: Record<string, Uint8Array>;
let manifestText: string;
let manifest: Manifest;

beforeAll(() => {
  workDir = mkdtempSync(path.join(tmpdir(), 'app-package-'));
  const { outFile } = packageScript.buildPackage({ env, outFile: path.join(workDir, 'coaching-bot.zip') });
  files = unzipSync(new Uint8Array(readFileSync(outFile)));
  manifestText = strFromU8(files['manifest.json']!);
  manifest = JSON.parse(manifestText) as Manifest;
});

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** What the bot does with a command list entry: a command it parses, or the leads' registration. */
function understood(title: string): boolean {
  const words = normaliseCommandText(title);
  return (
    parseCommand(title) !== undefined ||
    words === REGISTER_WORDS ||
    words === SERVICE_REPORT_WORDS ||
    (COACH_ROLE_WORDS as readonly string[]).includes(words) ||
    (VIEWER_WORDS as readonly string[]).includes(words)
  );
}

function readPng(bytes: Uint8Array): PNG {
  return PNG.sync.read(Buffer.from(bytes));
}

describe('the Teams app package', () => {
  it('holds manifest.json, color.png and outline.png at the root of the zip, and nothing else', () => {
    expect(Object.keys(files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    expect(Buffer.from(files['color.png']!).equals(readFileSync(path.join(appPackageDir, 'color.png')))).toBe(true);
    expect(Buffer.from(files['outline.png']!).equals(readFileSync(path.join(appPackageDir, 'outline.png')))).toBe(true);
  });

  it('validates against the Teams manifest schema kept in the repository', () => {
    const { $schema: _draft, ...schema } = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown> & {
      properties: { manifestVersion: { const: string } };
    };
    expect(manifest.manifestVersion).toBe(schema.properties.manifestVersion.const);
    expect(manifest.$schema).toBe(`https://developer.microsoft.com/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`);
    const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const valid = validate(manifest);
    expect(valid ? 'valid' : ajv.errorsText(validate.errors, { separator: '\n' })).toBe('valid');
  });

  it('has every placeholder replaced with the values given', () => {
    expect(manifestText).not.toContain('${{');
    expect(manifestText).not.toContain('}}');
    expect(manifest.id).toBe(env.MicrosoftAppId);
    expect(manifest.bots[0]!.botId).toBe(env.MicrosoftAppId);
    expect(manifest.validDomains).toEqual([env.BOT_DOMAIN]);
    expect(manifest.developer.privacyUrl).toBe(env.PRIVACY_URL);
    expect(manifest.developer.termsOfUseUrl).toBe(env.TERMS_URL);
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('says plainly what the bot is and is not', () => {
    const { short, full } = manifest.description;
    expect(short).toMatch(/not a crisis service/i);
    expect(full).toMatch(/not a crisis service/i);
    expect(full).toMatch(/no clinical/i);
    expect(full).toMatch(/service lead/i);
    expect(full).toContain('999');
  });

  it('offers the bot in 1:1 chats, group chats and teams, with files for "export my data"', () => {
    const bot = manifest.bots[0]!;
    expect(manifest.bots).toHaveLength(1);
    expect([...bot.scopes].sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(bot.supportsFiles).toBe(true);
  });

  it('lists only commands the bot understands, one list per scope, with what each scope needs', () => {
    // The check itself can fail: words the bot does not take as a command are refused.
    expect(understood('add coaches please')).toBe(false);
    expect(understood('please help me plan')).toBe(false);

    const lists = manifest.bots[0]!.commandLists;
    const byScope = new Map<string, string[]>();
    for (const list of lists) {
      expect(list.scopes).toHaveLength(1);
      expect(byScope.has(list.scopes[0]!)).toBe(false);
      byScope.set(list.scopes[0]!, list.commands.map((c) => c.title));
      for (const command of list.commands) {
        expect({ scope: list.scopes[0], title: command.title, understood: understood(command.title) }).toEqual({
          scope: list.scopes[0],
          title: command.title,
          understood: true,
        });
        expect(command.title.length).toBeLessThanOrEqual(32); // older Teams clients cut titles at 32
        expect(command.description.trim()).not.toBe('');
      }
    }
    expect([...byScope.keys()].sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(byScope.get('personal')).toEqual(expect.arrayContaining(['help', 'start coaching', 'my plan', 'where am I', 'Not OK right now']));
    expect(byScope.get('groupChat')).toEqual(['help', 'Not OK right now']);
    expect(byScope.get('team')).toEqual([REGISTER_WORDS, ...COACH_ROLE_WORDS, SERVICE_REPORT_WORDS, ...VIEWER_WORDS, 'help']);
  });

  it('has the two tabs from the bot\'s own server, and single sign-on for them', () => {
    const m = manifest as unknown as {
      staticTabs: { entityId: string; contentUrl?: string; scopes: string[] }[];
      configurableTabs: { configurationUrl: string; scopes: string[]; context: string[] }[];
      webApplicationInfo: { id: string; resource: string };
    };
    const tabs = Object.fromEntries(m.staticTabs.map((t) => [t.entityId, t]));
    expect(tabs['my-coaching']).toMatchObject({ contentUrl: `https://${env.BOT_DOMAIN}/tabs/my-coaching`, scopes: ['personal'] });
    expect(tabs.service).toMatchObject({ contentUrl: `https://${env.BOT_DOMAIN}/tabs/service`, scopes: ['personal'] });
    expect(tabs.conversations).toBeDefined(); // the chat stays the first tab
    expect(m.configurableTabs).toEqual([{ configurationUrl: `https://${env.BOT_DOMAIN}/tabs/service/configure`, canUpdateConfiguration: false, scopes: ['team'], context: ['channelTab'] }]);
    expect(m.webApplicationInfo).toEqual({ id: env.TAB_SSO_CLIENT_ID, resource: `api://${env.BOT_DOMAIN}/${env.TAB_SSO_CLIENT_ID}` });
  });

  it('has a 192×192 colour icon and a 32×32 outline icon of only white and transparency, as scripts/icons.js draws them', () => {
    const colour = readPng(files['color.png']!);
    expect([colour.width, colour.height]).toEqual([192, 192]);

    const outline = readPng(files['outline.png']!);
    expect([outline.width, outline.height]).toEqual([32, 32]);
    let white = 0;
    const offending: string[] = [];
    for (let i = 0; i < outline.data.length; i += 4) {
      const [r, g, b, a] = [outline.data[i], outline.data[i + 1], outline.data[i + 2], outline.data[i + 3]];
      if (a === 0) continue;
      if (r === 255 && g === 255 && b === 255) white += 1;
      else offending.push(`(${(i / 4) % 32},${Math.floor(i / 4 / 32)}) rgba(${r},${g},${b},${a})`);
    }
    expect(offending).toEqual([]);
    expect(white).toBeGreaterThan(0);
    expect(white).toBeLessThan(32 * 32);

    // The committed PNGs are the script's drawing (compared as pixels: zlib may pack them differently).
    expect(readPng(iconsScript.colourIcon()).data.equals(colour.data)).toBe(true);
    expect(readPng(iconsScript.outlineIcon()).data.equals(outline.data)).toBe(true);
  });

  it('refuses with one line naming the missing setting, and builds with --dev placeholders', () => {
    const script = path.join(root, 'scripts', 'package.js');
    const bare = { PATH: process.env.PATH ?? '' };
    const refused = spawnSync(process.execPath, [script, '--out', path.join(workDir, 'refused.zip')], { env: bare, encoding: 'utf8' });
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/^Package error: MicrosoftAppId is not set/);

    const dev = spawnSync(process.execPath, [script, '--dev', '--out', path.join(workDir, 'dev.zip')], { env: bare, encoding: 'utf8' });
    expect(dev.status).toBe(0);
    const devManifest = JSON.parse(strFromU8(unzipSync(new Uint8Array(readFileSync(path.join(workDir, 'dev.zip'))))['manifest.json']!)) as Manifest;
    expect(JSON.stringify(devManifest)).not.toContain('${{');
  });
});
