import { ConfigError, loadConfig } from './config';

const expectConfigError = (env: Record<string, string>, setting: string, words: RegExp) => {
  let error: unknown;
  try {
    loadConfig(env);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).setting).toBe(setting);
  expect((error as ConfigError).message).toMatch(words);
  expect((error as ConfigError).message).not.toContain('\n');
};

describe('loadConfig', () => {
  it('runs locally with no settings at all: unauthenticated, embedded store in .data, port 3978', () => {
    const config = loadConfig({});
    expect(config.unauthenticated).toBe(true);
    expect(config.port).toBe(3978);
    expect(config.store).toEqual({
      kind: 'embedded',
      dataDir: '.data',
      database: 'coaching',
      throughput: undefined,
      retention: { programmes: 365, botState: 90, referrals: 0, bookings: 365, serviceEvents: 730, servicePeople: 730, serviceReport: 730 },
    });
  });

  it('treats blank settings as unset', () => {
    expect(loadConfig({ PORT: '', COSMOS_ENDPOINT: ' ' }).port).toBe(3978);
  });

  it('names the setting in one line when a value is invalid', () => {
    expectConfigError({ PORT: 'eighty' }, 'PORT', /^Configuration error: PORT must be a whole number between 0 and 65535 \(got "eighty"\)$/);
    expectConfigError({ PORT: '70000' }, 'PORT', /PORT must be a whole number/);
    expectConfigError({ COSMOS_ENDPOINT: 'not a url' }, 'COSMOS_ENDPOINT', /must be an http\(s\) URL/);
    expectConfigError({ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /LOG_LEVEL/);
  });

  it('refuses the deprecated multi-tenant bot type', () => {
    expectConfigError({ MicrosoftAppType: 'MultiTenant' }, 'MicrosoftAppType', /multi-tenant bot registrations are deprecated/);
  });

  it('refuses to run unauthenticated or on the embedded store in production', () => {
    expectConfigError({ NODE_ENV: 'production' }, 'MicrosoftAppId', /required when NODE_ENV=production/);
    expectConfigError(
      { NODE_ENV: 'production', MicrosoftAppId: 'app', MicrosoftAppTenantId: 'tenant' },
      'COSMOS_ENDPOINT',
      /required when NODE_ENV=production/,
    );
  });

  it('asks for what each bot identity type needs', () => {
    expectConfigError({ MicrosoftAppId: 'app' }, 'MicrosoftAppTenantId', /required with MicrosoftAppType=UserAssignedMSI/);
    expectConfigError(
      { MicrosoftAppId: 'app', MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: 't' },
      'MicrosoftAppPassword',
      /required with MicrosoftAppType=SingleTenant/,
    );
  });

  it('asks for the pseudonym key in production', () => {
    const production = { NODE_ENV: 'production', MicrosoftAppId: 'app', MicrosoftAppTenantId: 'tenant', COSMOS_ENDPOINT: 'https://acct.documents.azure.com:443/' };
    expect(() => loadConfig(production)).toThrow(/^Configuration error: PSEUDONYM_KEY is required/);
    expect(() => loadConfig({ ...production, PSEUDONYM_KEY: 'c2hvcnQ=' })).toThrow(/PSEUDONYM_KEY must be at least 32 random bytes/);
  });

  it('uses Cosmos DB with managed identity in production when no key is given', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      MicrosoftAppId: 'app',
      MicrosoftAppTenantId: 'tenant',
      COSMOS_ENDPOINT: 'https://acct.documents.azure.com:443/',
      AZURE_CLIENT_ID: 'mi-client',
      PSEUDONYM_KEY: Buffer.alloc(32, 1).toString('base64'),
    });
    expect(config.unauthenticated).toBe(false);
    expect(config.identity.appType).toBe('UserAssignedMSI');
    expect(config.store).toMatchObject({ kind: 'azure', key: undefined, managedIdentityClientId: 'mi-client' });
  });
});
