import { z } from 'zod';

/**
 * Every setting the bot reads, parsed once at start-up. The names are the environment variable
 * names (and the App Service app settings in deployment/infra), so one schema documents them all.
 */
const blankAsUnset = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optional = <T extends z.ZodTypeAny>(schema: T) => z.preprocess(blankAsUnset, schema.optional());
const withDefault = <T extends z.ZodTypeAny>(schema: T, fallback: z.input<T>) =>
  z.preprocess(blankAsUnset, schema.default(fallback as never));
const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be a whole number between ${min} and ${max}` })
    .int(`must be a whole number between ${min} and ${max}`)
    .min(min, `must be a whole number between ${min} and ${max}`)
    .max(max, `must be a whole number between ${min} and ${max}`);
const httpsUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

export const settingsSchema = z.object({
  NODE_ENV: withDefault(z.enum(['development', 'test', 'production']), 'development'),
  PORT: withDefault(wholeNumber(0, 65535), 3978),
  LOG_LEVEL: withDefault(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info'),

  MicrosoftAppId: withDefault(z.string(), ''),
  MicrosoftAppType: withDefault(
    z.enum(['UserAssignedMSI', 'SingleTenant'], {
      error: 'must be UserAssignedMSI or SingleTenant (multi-tenant bot registrations are deprecated)',
    }),
    'UserAssignedMSI',
  ),
  MicrosoftAppTenantId: optional(z.string()),
  MicrosoftAppPassword: optional(z.string()),
  BotOpenIdMetadata: optional(httpsUrl),

  COSMOS_ENDPOINT: optional(httpsUrl),
  COSMOS_KEY: optional(z.string()),
  COSMOS_DATABASE: withDefault(z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'must be letters, digits, - or _'), 'coaching'),
  COSMOS_THROUGHPUT: optional(wholeNumber(400, 1_000_000)),
  AZURE_CLIENT_ID: optional(z.string()),
  LOCAL_DATA_DIR: withDefault(z.string(), '.data'),
  RETENTION_DAYS_PROGRAMMES: withDefault(wholeNumber(0, 36500), 365),
  RETENTION_DAYS_CONVERSATIONS: withDefault(wholeNumber(0, 36500), 90),
  RETENTION_DAYS_REFERRALS: withDefault(wholeNumber(0, 36500), 0),
  RETENTION_DAYS_BOOKINGS: withDefault(wholeNumber(0, 36500), 365),
  RETENTION_DAYS_SERVICE_EVENTS: withDefault(wholeNumber(0, 36500), 730),
  PSEUDONYM_KEY: optional(
    z.string().refine((v) => /^[A-Za-z0-9+/_=-]+$/.test(v.trim()) && Buffer.from(v.trim(), 'base64').length >= 32, 'must be at least 32 random bytes, base64-encoded'),
  ),

  SERVICE_LEAD_IDS: withDefault(
    z.string().regex(/^[0-9a-fA-F-]{36}(\s*,\s*[0-9a-fA-F-]{36})*$/, 'must be a comma-separated list of Entra object ids (GUIDs)'),
    '',
  ).or(z.literal('')),
  COACH_IDS: withDefault(
    z.string().regex(/^[0-9a-fA-F-]{36}(\s*,\s*[0-9a-fA-F-]{36})*$/, 'must be a comma-separated list of Entra object ids (GUIDs)'),
    '',
  ),
  BOOKING_DAYS_AHEAD: withDefault(wholeNumber(1, 60), 14),
  PLAN_CHECK_IN_DAYS: withDefault(wholeNumber(1, 90), 14),
  JOB_POLL_SECONDS: withDefault(wholeNumber(1, 300), 15),
  SIGNPOSTING_NATION: withDefault(z.enum(['england', 'scotland', 'wales', 'northern-ireland']), 'england'),
  WELLBEING_SERVICE_CONTACT: withDefault(z.string().max(300), 'Ask your line manager or occupational health team for the service\'s contact details.'),
  WELLBEING_SERVICE_URL: optional(z.url({ protocol: /^https$/, error: 'must be an https URL' })),
  REFERRAL_REPOST_MINUTES: withDefault(wholeNumber(1, 24 * 60), 30),
  OUTBOX_POLL_SECONDS: withDefault(wholeNumber(1, 300), 5),

  MESSAGES_PER_MINUTE_PER_PERSON: withDefault(wholeNumber(5, 10_000), 60),
  DEDUPE_WINDOW_SECONDS: withDefault(wholeNumber(60, 7 * 24 * 3600), 24 * 3600),
  REQUEST_BODY_LIMIT_BYTES: withDefault(wholeNumber(1024, 4 * 1024 * 1024), 256 * 1024),
  SHUTDOWN_GRACE_SECONDS: withDefault(wholeNumber(1, 300), 20),

  TAB_SSO_CLIENT_ID: optional(z.string().regex(/^[0-9a-fA-F-]{36}$/, 'must be the Entra application (client) id, a GUID')),
  TAB_DOMAIN: optional(z.string().regex(/^[A-Za-z0-9.-]+(:\d+)?$/, 'must be a host name, such as app-coachbot-xyz.azurewebsites.net')),
  TAB_SSO_OPENID_METADATA: optional(httpsUrl),
});

export type Settings = z.output<typeof settingsSchema>;

export interface BotIdentity {
  /** Empty in local unauthenticated mode. */
  appId: string;
  appType: 'UserAssignedMSI' | 'SingleTenant';
  tenantId?: string;
  password?: string;
  openIdMetadataUrl?: string;
}

/** Days a document is kept after its last change, per container (Cosmos TTL); 0 keeps it until deleted. */
export interface Retention {
  programmes: number;
  botState: number;
  referrals: number;
  bookings: number;
  serviceEvents: number;
  servicePeople: number;
  serviceReport: number;
}

export type StoreSettings =
  | { kind: 'azure'; endpoint: string; key?: string; managedIdentityClientId?: string; database: string; throughput?: number; retention?: Retention }
  | { kind: 'embedded'; dataDir: string; database: string; throughput?: number; retention?: Retention };

export type Nation = Settings['SIGNPOSTING_NATION'];

export interface SafetySettings {
  /** Entra object ids of service leads, who may register the referrals channel and act on referrals. */
  serviceLeadIds: string[];
  nation: Nation;
  wellbeingService: { contact: string; url?: string };
  /** An urgent referral nobody has acknowledged is posted again after this long. */
  repostAfterMs: number;
  outboxPollMs: number;
}

export interface BookingSettings {
  /** Entra object ids of coaches. */
  coachIds: string[];
  daysAhead: number;
  /** Days after session 1 is completed that the "How is your plan going?" check-in is sent. */
  planCheckInDays: number;
  /** How often the job worker looks for reminders and notices that are due. */
  jobPollMs: number;
}

/** The Teams tabs' single sign-on: which Entra application's tokens they accept. */
export interface TabSettings {
  /** The Entra app registration Teams gets tokens for (webApplicationInfo.id); unset: the tabs are off (outside local mode). */
  ssoClientId?: string;
  /** The host the tabs are served from; the token's audience is api://<domain>/<client id>. */
  domain?: string;
  tenantId?: string;
  /** OpenID metadata of the token issuer: Entra's for the tenant unless given (tests). */
  openIdMetadataUrl?: string;
}

export interface ServiceEventSettings {
  /** PSEUDONYM_KEY decoded; unset locally (a key is then kept in LOCAL_DATA_DIR). */
  key?: Buffer;
  retentionDays: number;
}

export interface Config {
  env: Settings['NODE_ENV'];
  port: number;
  logLevel: Settings['LOG_LEVEL'];
  identity: BotIdentity;
  /** True when no MicrosoftAppId is set: requests are not authenticated (local development only). */
  unauthenticated: boolean;
  store: StoreSettings;
  safety: SafetySettings;
  booking: BookingSettings;
  tabs: TabSettings;
  serviceEvents: ServiceEventSettings;
  dedupeWindowSeconds: number;
  /** Messages one person may send per minute before being asked to slow down. */
  messagesPerMinutePerPerson: number;
  requestBodyLimitBytes: number;
  shutdownGraceMs: number;
}

export class ConfigError extends Error {
  constructor(readonly setting: string, problem: string) {
    super(`Configuration error: ${setting} ${problem}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment into a Config, or throws a ConfigError whose message names the first bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const setting = String(issue.path[0] ?? 'settings');
    const given = env[setting];
    const shown = given === undefined ? 'it is not set' : `got ${JSON.stringify(given.length > 60 ? `${given.slice(0, 60)}…` : given)}`;
    throw new ConfigError(setting, `${issue.message} (${shown})`);
  }
  const s = parsed.data;
  const appId = s.MicrosoftAppId.trim();
  const unauthenticated = appId === '';

  if (s.NODE_ENV === 'production') {
    if (unauthenticated) {
      throw new ConfigError('MicrosoftAppId', 'is required when NODE_ENV=production (the bot will not run unauthenticated in production)');
    }
    if (!s.COSMOS_ENDPOINT) {
      throw new ConfigError('COSMOS_ENDPOINT', 'is required when NODE_ENV=production (the embedded store is for local development only)');
    }
    if (!s.PSEUDONYM_KEY) {
      throw new ConfigError('PSEUDONYM_KEY', 'is required when NODE_ENV=production (the key for counting people without naming them)');
    }
  }
  if (!unauthenticated) {
    if (!s.MicrosoftAppTenantId) {
      throw new ConfigError('MicrosoftAppTenantId', `is required with MicrosoftAppType=${s.MicrosoftAppType}`);
    }
    if (s.MicrosoftAppType === 'SingleTenant' && !s.MicrosoftAppPassword) {
      throw new ConfigError('MicrosoftAppPassword', 'is required with MicrosoftAppType=SingleTenant');
    }
  }

  const retention: Retention = {
    programmes: s.RETENTION_DAYS_PROGRAMMES,
    botState: s.RETENTION_DAYS_CONVERSATIONS,
    referrals: s.RETENTION_DAYS_REFERRALS,
    bookings: s.RETENTION_DAYS_BOOKINGS,
    serviceEvents: s.RETENTION_DAYS_SERVICE_EVENTS,
    servicePeople: s.RETENTION_DAYS_SERVICE_EVENTS,
    serviceReport: s.RETENTION_DAYS_SERVICE_EVENTS,
  };
  const store: StoreSettings = s.COSMOS_ENDPOINT
    ? {
        kind: 'azure',
        endpoint: s.COSMOS_ENDPOINT,
        key: s.COSMOS_KEY,
        managedIdentityClientId: s.AZURE_CLIENT_ID,
        database: s.COSMOS_DATABASE,
        throughput: s.COSMOS_THROUGHPUT,
        retention,
      }
    : { kind: 'embedded', dataDir: s.LOCAL_DATA_DIR, database: s.COSMOS_DATABASE, throughput: s.COSMOS_THROUGHPUT, retention };

  return {
    env: s.NODE_ENV,
    port: s.PORT,
    logLevel: s.LOG_LEVEL,
    identity: {
      appId,
      appType: s.MicrosoftAppType,
      tenantId: s.MicrosoftAppTenantId,
      password: s.MicrosoftAppPassword,
      openIdMetadataUrl: s.BotOpenIdMetadata,
    },
    unauthenticated,
    store,
    safety: {
      serviceLeadIds: s.SERVICE_LEAD_IDS.split(',').map((id) => id.trim().toLowerCase()).filter(Boolean),
      nation: s.SIGNPOSTING_NATION,
      wellbeingService: { contact: s.WELLBEING_SERVICE_CONTACT, url: s.WELLBEING_SERVICE_URL },
      repostAfterMs: s.REFERRAL_REPOST_MINUTES * 60_000,
      outboxPollMs: s.OUTBOX_POLL_SECONDS * 1000,
    },
    booking: {
      coachIds: s.COACH_IDS.split(',').map((id) => id.trim().toLowerCase()).filter(Boolean),
      daysAhead: s.BOOKING_DAYS_AHEAD,
      planCheckInDays: s.PLAN_CHECK_IN_DAYS,
      jobPollMs: s.JOB_POLL_SECONDS * 1000,
    },
    tabs: {
      ssoClientId: s.TAB_SSO_CLIENT_ID?.toLowerCase(),
      domain: s.TAB_DOMAIN,
      tenantId: s.MicrosoftAppTenantId,
      openIdMetadataUrl: s.TAB_SSO_OPENID_METADATA ?? (s.MicrosoftAppTenantId ? `https://login.microsoftonline.com/${s.MicrosoftAppTenantId}/v2.0/.well-known/openid-configuration` : undefined),
    },
    serviceEvents: {
      key: s.PSEUDONYM_KEY ? Buffer.from(s.PSEUDONYM_KEY.trim(), 'base64') : undefined,
      retentionDays: s.RETENTION_DAYS_SERVICE_EVENTS,
    },
    dedupeWindowSeconds: s.DEDUPE_WINDOW_SECONDS,
    messagesPerMinutePerPerson: s.MESSAGES_PER_MINUTE_PER_PERSON,
    requestBodyLimitBytes: s.REQUEST_BODY_LIMIT_BYTES,
    shutdownGraceMs: s.SHUTDOWN_GRACE_SECONDS * 1000,
  };
}

/** The names of every setting, for the .env.example and infrastructure consistency tests. */
export const settingNames = Object.keys(settingsSchema.shape) as (keyof Settings)[];
