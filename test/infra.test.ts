/**
 * deployment/infra/main.bicep stays in step with the code, and holds no keys or passwords. No Bicep compiler
 * is available where the tests run, so the template is read as text (comments removed) and checked for:
 *   (a) app settings: every name is a setting the bot reads (`settingNames` in src/config.ts) or one of the
 *       platform's own listed below; none repeats; the ones production needs are there with the right values;
 *   (b) no secrets: no listKeys(), account keys, connection-string listings, @secure() parameters, or
 *       "password"/"secret" anywhere, and neither MicrosoftAppPassword nor COSMOS_KEY is set;
 *   (c) Cosmos DB: local (key) auth disabled, serverless by default, continuous backup, and the built-in
 *       Data Contributor role (00000000-0000-0000-0000-000000000002) assigned to the managed identity;
 *   (d) the containers and partition keys are exactly `containerSpecs` (src/store/containers.ts), with a
 *       fixed defaultTtl where the code fixes one, and otherwise the TTL the code derives from the same
 *       RETENTION_DAYS_* setting the template passes to the app (so the bot never has to change it);
 *   (e) the web app: Linux, Node 20 LTS, HTTPS only, Always On, health check on /healthz, the user-assigned
 *       identity; the Azure Bot: UserAssignedMSI with that identity, Teams channel, endpoint /api/messages;
 *   (f) the outputs the package step needs, and a parameters example that matches the template's parameters.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, settingNames } from '../src/config';
import { containerSpecs } from '../src/store/containers';

/** Names App Service or Application Insights read themselves; the bot's code does not. */
const PLATFORM_SETTINGS = [
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'ApplicationInsightsAgent_EXTENSION_VERSION',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
  'WEBSITE_NODE_DEFAULT_VERSION',
];

const infraDir = path.join(__dirname, '..', 'deployment', 'infra');
const source = readFileSync(path.join(infraDir, 'main.bicep'), 'utf8');
const bicep = withoutComments(source);
const exampleText = readFileSync(path.join(infraDir, 'main.parameters.example.json'), 'utf8');
const example = JSON.parse(exampleText) as { parameters: Record<string, { value: unknown }> };

/** Bicep without // and block comments (quotes respected: URLs in strings keep their //). */
function withoutComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (inString) {
      out += ch;
      if (ch === '\\') out += text[(i += 1)] ?? '';
      else if (ch === "'") inString = false;
    } else if (ch === "'") {
      inString = true;
      out += ch;
    } else if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i += 1;
      out += '\n';
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else out += ch;
  }
  return out;
}

/** From `opening` (e.g. "appSettings: [") to the bracket closing the first one opened after it (strings skipped). */
function block(text: string, opening: string): string {
  const start = text.indexOf(opening);
  if (start < 0) throw new Error(`"${opening}" not found in main.bicep`);
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i += 1) {
    const ch = text[i]!;
    if (inString) {
      if (ch === '\\') i += 1;
      else if (ch === "'") inString = false;
    } else if (ch === "'") inString = true;
    else if (ch === '[' || ch === '{') depth += 1;
    else if (ch === ']' || ch === '}') {
      depth -= 1;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  throw new Error(`"${opening}" is not closed in main.bicep`);
}

/** The `{ name: '…' value: … }` pairs of the web app's app settings. */
function appSettings(): { name: string; value: string }[] {
  const settings = [...block(bicep, 'appSettings: [').matchAll(/\{\s*name:\s*'([^']+)'\s*value:\s*([^\n]+?)\s*\}/g)].map((m) => ({
    name: m[1]!,
    value: m[2]!,
  }));
  const names = [...block(bicep, 'appSettings: [').matchAll(/\bname:/g)];
  expect(settings).toHaveLength(names.length); // every entry was read
  return settings;
}

function valueOf(name: string): string | undefined {
  return appSettings().find((s) => s.name === name)?.value;
}

/** `var name = '…'` → its text. */
function stringVar(name: string): string | undefined {
  return new RegExp(`^var ${name} = '([^']*)'`, 'm').exec(bicep)?.[1];
}

/** Parameters declared in the template: name → has a default. */
function parameters(): Map<string, boolean> {
  return new Map([...bicep.matchAll(/^param\s+(\w+)\s+\w+(\s*=)?/gm)].map((m) => [m[1]!, m[2] !== undefined]));
}

describe('deployment/infra/main.bicep', () => {
  it('sets only app settings the bot reads (or the platform reads), each once', () => {
    const names = appSettings().map((s) => s.name);
    const allowed = new Set<string>([...settingNames, ...PLATFORM_SETTINGS]);
    expect(names.filter((name) => !allowed.has(name))).toEqual([]);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it('sets what production needs, with managed identity and no secret', () => {
    const names = appSettings().map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining(['NODE_ENV', 'MicrosoftAppId', 'MicrosoftAppType', 'MicrosoftAppTenantId', 'COSMOS_ENDPOINT', 'AZURE_CLIENT_ID', 'COSMOS_DATABASE', 'SERVICE_LEAD_IDS', 'SIGNPOSTING_NATION', 'WELLBEING_SERVICE_CONTACT']),
    );
    expect(names).not.toContain('MicrosoftAppPassword');
    expect(names).not.toContain('COSMOS_KEY');
    expect(valueOf('NODE_ENV')).toBe("'production'");
    expect(valueOf('MicrosoftAppType')).toBe("'UserAssignedMSI'");
    expect(valueOf('MicrosoftAppId')).toBe('identity.properties.clientId');
    expect(valueOf('AZURE_CLIENT_ID')).toBe('identity.properties.clientId');
    expect(valueOf('MicrosoftAppTenantId')).toBe('identity.properties.tenantId');
    expect(valueOf('COSMOS_ENDPOINT')).toBe('cosmos.properties.documentEndpoint');
  });

  it('uses no keys, passwords or secrets', () => {
    // The one allowed mention: the pseudonym key is a Key Vault reference, read by the managed identity; its
    // value is set in the vault by DEPLOY.md, never here.
    expect(valueOf('PSEUDONYM_KEY')).toBe('pseudonymKeyReference');
    expect(stringVar('pseudonymKeyReference')).toBe('@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=pseudonym-key)');
    expect(block(bicep, "resource webApp 'Microsoft.Web/sites@")).toMatch(/keyVaultReferenceIdentity: identity\.id/);
    expect(block(bicep, "resource keyVault 'Microsoft.KeyVault/vaults@")).toMatch(/enableRbacAuthorization: true/);
    const withoutReference = bicep.replace(';SecretName=pseudonym-key)', ')');
    for (const text of [withoutReference, exampleText]) {
      expect(text).not.toMatch(/listKeys\s*\(/i);
      expect(text).not.toMatch(/listConnectionStrings|primaryMasterKey|secondaryMasterKey|primaryReadonlyMasterKey|masterKey/i);
      expect(text).not.toMatch(/password|secret/i);
      expect(text).not.toMatch(/@secure\(\)/);
    }
  });

  it('makes Cosmos DB serverless by default, with key auth off and continuous backup', () => {
    expect(bicep).toMatch(/^\s*disableLocalAuth: true$/m);
    expect(bicep).toMatch(/^param cosmosServerless bool = true$/m);
    expect(bicep).toMatch(/name: 'EnableServerless'/);
    expect(bicep).toMatch(/capabilities: cosmosServerless \? serverlessCapability : \[\]/);
    expect(block(bicep, 'backupPolicy: {')).toMatch(/type: 'Continuous'/);
  });

  it('gives the managed identity the Cosmos DB Built-in Data Contributor role', () => {
    const assignment = block(bicep, "resource cosmosDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@");
    const roleVar = /roleDefinitionId: '\$\{cosmos\.id\}\/sqlRoleDefinitions\/\$\{(\w+)\}'/.exec(assignment)?.[1];
    expect(roleVar).toBeDefined();
    expect(stringVar(roleVar!)).toBe('00000000-0000-0000-0000-000000000002');
    expect(assignment).toMatch(/principalId: identity\.properties\.principalId/);
    expect(assignment).toMatch(/scope: cosmos\.id/);
  });

  it('declares exactly the containers, partition keys and TTLs the code uses', () => {
    const declared = [...block(bicep, 'var cosmosContainers = [').matchAll(/\{\s*name:\s*'([^']+)'\s*partitionKeyPath:\s*'([^']+)'\s*defaultTtl:\s*([^\n]+?)\s*\}/g)].map(
      (m) => ({ id: m[1]!, partitionKeyPath: m[2]!, defaultTtl: m[3]! }),
    );
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect(declared.map(({ id, partitionKeyPath }) => ({ id, partitionKeyPath })).sort(byId)).toEqual(
      Object.values(containerSpecs)
        .map(({ id, partitionKeyPath }) => ({ id, partitionKeyPath }))
        .sort(byId),
    );

    // Which RETENTION_DAYS_* setting the code applies to which container, found by asking the code.
    const retentionSettings = settingNames.filter((name) => name.startsWith('RETENTION_DAYS_'));
    const env = Object.fromEntries(retentionSettings.map((name, i) => [name, String(101 + i)]));
    const retention = (loadConfig(env).store as { retention?: Record<string, number> }).retention ?? {};
    const settingFor = (container: string) => retentionSettings.find((name) => Number(env[name]) === retention[container]);
    // The template passes each RETENTION_DAYS_* setting from one parameter: setting → parameter.
    const parameterOf = (setting: string) => /^string\((\w+)\)$/.exec(valueOf(setting) ?? '')?.[1];

    for (const { id, defaultTtl } of declared) {
      const spec = containerSpecs[id as keyof typeof containerSpecs] as { defaultTtl?: number };
      if (spec.defaultTtl !== undefined) {
        expect({ id, defaultTtl }).toEqual({ id, defaultTtl: String(spec.defaultTtl) });
        continue;
      }
      const setting = settingFor(id);
      const parameter = setting && parameterOf(setting);
      // 0 days = no TTL (left out below); otherwise days in seconds, as the code sets it.
      expect({ id, setting, defaultTtl }).toEqual({ id, setting: expect.any(String), defaultTtl: `${parameter} > 0 ? ${parameter} * secondsPerDay : 0` });
    }
    expect(bicep).toMatch(/^var secondsPerDay = 86400$/m);
    const resource = block(bicep, "resource containers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@");
    expect(resource).toMatch(/\[for c in cosmosContainers:/);
    expect(resource).toMatch(/c\.partitionKeyPath/);
    expect(resource).toMatch(/c\.defaultTtl == 0 \? \{\} : \{\s*defaultTtl: c\.defaultTtl\s*\}/);
  });

  it('runs the web app on Linux Node 20 LTS, HTTPS only, always on, health-checked on /healthz, as the identity', () => {
    const webApp = block(bicep, "resource webApp 'Microsoft.Web/sites@");
    expect(webApp).toMatch(/^\s*httpsOnly: true$/m);
    expect(webApp).toMatch(/^\s*alwaysOn: true$/m);
    expect(webApp).toMatch(/^\s*healthCheckPath: '\/healthz'$/m);
    expect(webApp).toMatch(/^\s*linuxFxVersion: 'NODE\|20-lts'$/m);
    expect(webApp).toMatch(/type: 'UserAssigned'/);
    expect(webApp).toMatch(/'\$\{identity\.id\}': \{\}/);
    expect(block(bicep, "resource plan 'Microsoft.Web/serverfarms@")).toMatch(/reserved: true/);
  });

  it('registers the bot with the managed identity, the Teams channel and the web app endpoint', () => {
    const bot = block(bicep, "resource bot 'Microsoft.BotService/botServices@");
    expect(bot).toMatch(/msaAppType: 'UserAssignedMSI'/);
    expect(bot).toMatch(/msaAppId: identity\.properties\.clientId/);
    expect(bot).toMatch(/msaAppMSIResourceId: identity\.id/);
    expect(bot).toMatch(/msaAppTenantId: identity\.properties\.tenantId/);
    expect(bot).toMatch(/endpoint: 'https:\/\/\$\{webApp\.properties\.defaultHostName\}\/api\/messages'/);
    expect(block(bicep, "resource teamsChannel 'Microsoft.BotService/botServices/channels@")).toMatch(/channelName: 'MsTeamsChannel'/);
  });

  it('outputs what the package step needs', () => {
    const outputs = [...bicep.matchAll(/^output\s+(\w+)\s+/gm)].map((m) => m[1]);
    expect(outputs).toEqual(expect.arrayContaining(['botEndpoint', 'microsoftAppId', 'tenantId', 'webAppHostName']));
  });

  it('uses released API versions only', () => {
    const versions = [...bicep.matchAll(/^resource\s+\w+\s+'([^']+)'/gm)].map((m) => m[1]!);
    expect(versions.length).toBeGreaterThanOrEqual(10);
    expect(versions.filter((v) => /preview/i.test(v))).toEqual([]);
  });

  it('has a parameters example that matches the template', () => {
    const declared = parameters();
    const given = Object.keys(example.parameters);
    expect(given.filter((name) => !declared.has(name))).toEqual([]);
    const required = [...declared].filter(([, hasDefault]) => !hasDefault).map(([name]) => name);
    expect(required.filter((name) => !given.includes(name))).toEqual([]);
  });
});
