// Azure infrastructure for the NHS staff coaching bot (deploy to a resource group):
//   - a Linux App Service plan and web app on Node 20 LTS (HTTPS only, Always On, health check /healthz);
//   - a user-assigned managed identity: the bot's identity (MicrosoftAppType=UserAssignedMSI) and its
//     identity for Cosmos DB; no client secret and no account key anywhere;
//   - an Azure Bot registration with the Microsoft Teams channel, messaging endpoint on the web app;
//   - Cosmos DB for NoSQL (serverless by default), local (key) auth disabled, continuous backup, the
//     database and containers the bot uses (src/store/containers.ts), and the built-in Cosmos DB Data
//     Contributor role for the identity;
//   - Log Analytics and workspace-based Application Insights;
//   - a Key Vault (RBAC) holding the pseudonym key for the service events, read by the identity through a Key
//     Vault reference (DEPLOY.md sets its value once; it never appears in this template or its parameters).
// The Teams tabs' single sign-on app registration is made with az (DEPLOY.md) and passed in as tabSsoClientId.
// App settings name only settings the bot reads (src/config.ts) plus the platform's own; a test
// (test/infra.test.ts) keeps the two in step. See deployment/DEPLOY.md for the commands.

targetScope = 'resourceGroup'

@description('Azure region for everything except the Azure Bot registration, which is global.')
param location string = resourceGroup().location

@description('Short lowercase prefix for resource names (letters and digits). A suffix unique to the resource group is added.')
@minLength(2)
@maxLength(16)
param namePrefix string = 'coachbot'

@description('Tags for every resource.')
param tags object = {}

@description('App Service plan size. Basic (B1) or above, because Always On is not available on Free or Shared plans.')
@allowed([
  'B1'
  'B2'
  'B3'
  'S1'
  'S2'
  'S3'
  'P0v3'
  'P1v3'
  'P2v3'
])
param appServicePlanSku string = 'B1'

@description('Azure Bot pricing tier. F0 (free) includes the Microsoft Teams channel.')
@allowed([
  'F0'
  'S1'
])
param botSku string = 'F0'

@description('The bot\'s display name in the Azure Bot registration.')
param botDisplayName string = 'Staff coaching'

@description('Cosmos DB capacity: true = serverless (default); false = provisioned throughput shared by the database.')
param cosmosServerless bool = true

@description('Shared database throughput in RU/s, used only when cosmosServerless is false.')
@minValue(400)
param cosmosThroughput int = 400

@description('Cosmos DB continuous backup tier (point-in-time restore window).')
@allowed([
  'Continuous7Days'
  'Continuous30Days'
])
param cosmosBackupTier string = 'Continuous7Days'

@description('Cosmos DB database name (COSMOS_DATABASE).')
param databaseName string = 'coaching'

@description('Entra object ids (GUIDs) of the service leads, comma-separated (SERVICE_LEAD_IDS).')
param serviceLeadIds string

@description('Entra object ids (GUIDs) of coaches, comma-separated (COACH_IDS). Service leads can also add coaches in Teams.')
param coachIds string = ''

@description('Which UK nation\'s crisis and support contacts to show (SIGNPOSTING_NATION).')
@allowed([
  'england'
  'scotland'
  'wales'
  'northern-ireland'
])
param signpostingNation string = 'england'

@description('How staff reach your Stress Support and Wellbeing service (WELLBEING_SERVICE_CONTACT), up to 300 characters.')
@maxLength(300)
param wellbeingServiceContact string = 'Ask your line manager or occupational health team for the service\'s contact details.'

@description('Optional https link to the wellbeing service\'s page (WELLBEING_SERVICE_URL). Empty for none.')
param wellbeingServiceUrl string = ''

@description('Days a programme is kept after its last change (RETENTION_DAYS_PROGRAMMES); 0 = until deleted.')
@minValue(0)
@maxValue(36500)
param retentionDaysProgrammes int = 365

@description('Days group chat and channel conversation state is kept (RETENTION_DAYS_CONVERSATIONS); 0 = until deleted.')
@minValue(0)
@maxValue(36500)
param retentionDaysConversations int = 90

@description('Days a referral is kept (RETENTION_DAYS_REFERRALS); 0 = kept under the service\'s own records policy.')
@minValue(0)
@maxValue(36500)
param retentionDaysReferrals int = 0

@description('Days availability and bookings are kept (RETENTION_DAYS_BOOKINGS); 0 = until deleted.')
@minValue(0)
@maxValue(36500)
param retentionDaysBookings int = 365

@description('Days de-identified service events, their monthly counts and pseudonym records are kept (RETENTION_DAYS_SERVICE_EVENTS); 0 = until deleted. At least 400 for 12-month reports.')
@minValue(0)
@maxValue(36500)
param retentionDaysServiceEvents int = 730

@description('Application (client) id of the Entra app registration for the tabs\' single sign-on (TAB_SSO_CLIENT_ID, DEPLOY.md step 3b). Empty until it exists: the tabs then say they are not set up.')
param tabSsoClientId string = ''

@description('Days Log Analytics keeps logs and telemetry.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

var suffix = uniqueString(resourceGroup().id)
var baseName = '${toLower(namePrefix)}-${suffix}'
var webAppName = 'app-${baseName}'
var webAppHostName = '${webAppName}.azurewebsites.net'
var keyVaultName = 'kv-${suffix}'
// Built-in Azure role that lets the identity read the vault's values (for the Key Vault reference).
var keyVaultReaderRoleId = '4633458b-17de-408a-b874-0445c86b69e6'
// App Service resolves this to the vault's current value of pseudonym-key, as the identity.
var pseudonymKeyReference = '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=pseudonym-key)'
var secondsPerDay = 86400
// Cosmos DB built-in data-plane role "Cosmos DB Built-in Data Contributor".
var cosmosDataContributorRoleId = '00000000-0000-0000-0000-000000000002'
var serverlessCapability = [
  {
    name: 'EnableServerless'
  }
]

// The containers exactly as src/store/containers.ts declares them. defaultTtl 0 here means "no default
// TTL" (left out); otherwise it is what the bot sets at start-up from the same RETENTION_DAYS_* values,
// so the bot never has to change a container (a managed identity may not, with data-plane roles only).
var cosmosContainers = [
  {
    name: 'botState'
    partitionKeyPath: '/id'
    defaultTtl: retentionDaysConversations > 0 ? retentionDaysConversations * secondsPerDay : 0
  }
  {
    name: 'programmes'
    partitionKeyPath: '/userId'
    defaultTtl: retentionDaysProgrammes > 0 ? retentionDaysProgrammes * secondsPerDay : 0
  }
  {
    name: 'referrals'
    partitionKeyPath: '/id'
    defaultTtl: retentionDaysReferrals > 0 ? retentionDaysReferrals * secondsPerDay : 0
  }
  {
    name: 'bookings'
    partitionKeyPath: '/coachId'
    defaultTtl: retentionDaysBookings > 0 ? retentionDaysBookings * secondsPerDay : 0
  }
  {
    name: 'jobs'
    partitionKeyPath: '/id'
    defaultTtl: -1
  }
  {
    name: 'serviceEvents'
    partitionKeyPath: '/month'
    defaultTtl: retentionDaysServiceEvents > 0 ? retentionDaysServiceEvents * secondsPerDay : 0
  }
  {
    name: 'servicePeople'
    partitionKeyPath: '/id'
    defaultTtl: retentionDaysServiceEvents > 0 ? retentionDaysServiceEvents * secondsPerDay : 0
  }
  {
    name: 'serviceReport'
    partitionKeyPath: '/id'
    defaultTtl: retentionDaysServiceEvents > 0 ? retentionDaysServiceEvents * secondsPerDay : 0
  }
]

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: 'log-${baseName}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${baseName}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    IngestionMode: 'LogAnalytics'
  }
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${baseName}'
  location: location
  tags: tags
}

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' = {
  name: 'cosmos-${baseName}'
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    capabilities: cosmosServerless ? serverlessCapability : []
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    backupPolicy: {
      type: 'Continuous'
      continuousModeProperties: {
        tier: cosmosBackupTier
      }
    }
  }
}

resource cosmosDatabase 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-05-15' = {
  parent: cosmos
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
    options: cosmosServerless ? {} : {
      throughput: cosmosThroughput
    }
  }
}

resource containers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = [for c in cosmosContainers: {
  parent: cosmosDatabase
  name: c.name
  properties: {
    resource: union({
      id: c.name
      partitionKey: {
        paths: [
          c.partitionKeyPath
        ]
        kind: 'Hash'
        version: 2
      }
    }, c.defaultTtl == 0 ? {} : {
      defaultTtl: c.defaultTtl
    })
    options: {}
  }
}]

resource cosmosDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = {
  parent: cosmos
  name: guid(cosmos.id, identity.id, cosmosDataContributorRoleId)
  properties: {
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${cosmosDataContributorRoleId}'
    principalId: identity.properties.principalId
    scope: cosmos.id
  }
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
  }
}

resource keyVaultReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: keyVault
  name: guid(keyVault.id, identity.id, keyVaultReaderRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultReaderRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource plan 'Microsoft.Web/serverfarms@2022-09-01' = {
  name: 'plan-${baseName}'
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: appServicePlanSku
  }
  properties: {
    reserved: true
  }
}

resource webApp 'Microsoft.Web/sites@2022-09-01' = {
  name: webAppName
  location: location
  tags: tags
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references (PSEUDONYM_KEY) are read as the user-assigned identity.
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'NODE|20-lts'
      // The zip holds the built bot (dist/) and production node_modules: start it directly, because
      // `npm start` would try to build first without the dev tools.
      appCommandLine: 'node dist/src/index.js'
      alwaysOn: true
      healthCheckPath: '/healthz'
      http20Enabled: true
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: [
        {
          name: 'NODE_ENV'
          value: 'production'
        }
        {
          name: 'LOG_LEVEL'
          value: 'info'
        }
        {
          name: 'MicrosoftAppId'
          value: identity.properties.clientId
        }
        {
          name: 'MicrosoftAppType'
          value: 'UserAssignedMSI'
        }
        {
          name: 'MicrosoftAppTenantId'
          value: identity.properties.tenantId
        }
        {
          name: 'COSMOS_ENDPOINT'
          value: cosmos.properties.documentEndpoint
        }
        {
          name: 'AZURE_CLIENT_ID'
          value: identity.properties.clientId
        }
        {
          name: 'COSMOS_DATABASE'
          value: databaseName
        }
        {
          name: 'RETENTION_DAYS_PROGRAMMES'
          value: string(retentionDaysProgrammes)
        }
        {
          name: 'RETENTION_DAYS_CONVERSATIONS'
          value: string(retentionDaysConversations)
        }
        {
          name: 'RETENTION_DAYS_REFERRALS'
          value: string(retentionDaysReferrals)
        }
        {
          name: 'RETENTION_DAYS_BOOKINGS'
          value: string(retentionDaysBookings)
        }
        {
          name: 'RETENTION_DAYS_SERVICE_EVENTS'
          value: string(retentionDaysServiceEvents)
        }
        {
          name: 'PSEUDONYM_KEY'
          value: pseudonymKeyReference
        }
        {
          name: 'TAB_SSO_CLIENT_ID'
          value: tabSsoClientId
        }
        {
          name: 'TAB_DOMAIN'
          value: webAppHostName
        }
        {
          name: 'SERVICE_LEAD_IDS'
          value: serviceLeadIds
        }
        {
          name: 'COACH_IDS'
          value: coachIds
        }
        {
          name: 'SIGNPOSTING_NATION'
          value: signpostingNation
        }
        {
          name: 'WELLBEING_SERVICE_CONTACT'
          value: wellbeingServiceContact
        }
        {
          name: 'WELLBEING_SERVICE_URL'
          value: wellbeingServiceUrl
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsights.properties.ConnectionString
        }
        {
          // App Service's codeless Application Insights agent for Node.js: requests, dependencies, exceptions.
          name: 'ApplicationInsightsAgent_EXTENSION_VERSION'
          value: '~3'
        }
        {
          name: 'SCM_DO_BUILD_DURING_DEPLOYMENT'
          value: 'false'
        }
      ]
    }
  }
  dependsOn: [
    containers
    cosmosDataContributor
    keyVaultReader
  ]
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: 'bot-${baseName}'
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: {
    name: botSku
  }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    msaAppId: identity.properties.clientId
    msaAppType: 'UserAssignedMSI'
    msaAppMSIResourceId: identity.id
    msaAppTenantId: identity.properties.tenantId
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

@description('The bot\'s messaging endpoint (set on the Azure Bot registration).')
output botEndpoint string = 'https://${webApp.properties.defaultHostName}/api/messages'

@description('MicrosoftAppId: the managed identity\'s client id, used as the bot id and the Teams app id (npm run package).')
output microsoftAppId string = identity.properties.clientId

@description('The Entra tenant id (MicrosoftAppTenantId).')
output tenantId string = identity.properties.tenantId

@description('The web app\'s host name (BOT_DOMAIN for npm run package).')
output webAppHostName string = webApp.properties.defaultHostName

@description('The Key Vault holding the pseudonym key (DEPLOY.md sets it once).')
output keyVaultName string = keyVault.name

@description('The web app\'s name, for az webapp deploy.')
output webAppName string = webApp.name
