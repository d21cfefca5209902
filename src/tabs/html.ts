import type { Contact } from '../safety/signposting';

/** HTML for the tabs, built as strings: every value from data goes through `esc`. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** JSON safe to put inside <script type="application/json">. */
export function jsonIn(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

export type PageName = 'service' | 'my-coaching';

export interface ShellOptions {
  page: PageName;
  title: string;
  local: boolean;
  /** The Playground's mock user, shown in the local banner. */
  localUserName?: string;
  support: Contact[];
}

/**
 * The page Teams loads: NHS design system styles, the banner in local mode, where the view will appear, and the
 * scripts (all served by this server). The view itself is fetched with the Teams token by /tabs/static/tab.js.
 */
export function shell({ page, title, local, localUserName, support }: ShellOptions): string {
  return `<!DOCTYPE html>
<html lang="en-GB" class="nhsuk-template">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}: Staff coaching</title>
<link rel="icon" href="/tabs/static/nhsuk/images/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/tabs/static/nhsuk.css">
<link rel="stylesheet" href="/tabs/static/tab.css">
</head>
<body class="nhsuk-template__body">
<a class="nhsuk-skip-link" href="#main-content">Skip to main content</a>
${local ? localBanner(localUserName) : ''}
<div class="nhsuk-width-container">
<main class="nhsuk-main-wrapper nhsuk-main-wrapper--s" id="main-content" tabindex="-1">
<h1 class="nhsuk-heading-l">${esc(title)}</h1>
${page === 'my-coaching' ? supportBox(support) : ''}
<div id="app" data-page="${esc(page)}" data-local="${local}" aria-live="polite" aria-busy="true">
<p class="nhsuk-body" id="loading">Loading…</p>
</div>
</main>
</div>
${local ? '' : '<script src="/tabs/static/teams.js"></script>\n'}<script src="/tabs/static/chart.js"></script>
<script src="/tabs/static/tab.js"></script>
</body>
</html>`;
}

function localBanner(name: string | undefined): string {
  return `<div class="local-banner" role="region" aria-label="Local mode">
<p class="local-banner__title">Local mode: not signed in</p>
<p class="local-banner__text">MicrosoftAppId is empty, so this tab opens outside Teams, with no sign-in, as the Playground's mock user${name ? ` (${esc(name)})` : ''}. For local development only: never run like this with real people's data.</p>
</div>`;
}

/** "Not OK right now": the support contacts, on every view of My coaching. */
export function supportBox(contacts: Contact[]): string {
  return `<section class="nhsuk-card nhsuk-card--care nhsuk-card--care--urgent support-box" aria-labelledby="support-heading">
<div class="nhsuk-card--care__heading-container">
<h2 class="nhsuk-card--care__heading" id="support-heading"><span class="nhsuk-u-visually-hidden">Urgent advice: </span>Not OK right now?</h2>
<span class="nhsuk-card--care__arrow" aria-hidden="true"></span>
</div>
<div class="nhsuk-card__content">
<p>This is not a crisis service. If you need help now, these are there for you:</p>
<ul class="nhsuk-list">
${contacts.map((c) => `<li><strong>${esc(c.name)}</strong>: ${esc(c.how)}. ${esc(c.when)}.</li>`).join('\n')}
</ul>
</div>
</section>`;
}

/** A page (or view) for a refused request: says what is wrong, never why the token failed in detail. */
export function refusedView(kind: 'noToken' | 'badToken' | 'notConfigured' | 'forbidden'): string {
  const text = {
    noToken: 'You are not signed in. Open this tab in Microsoft Teams, where it signs you in for you.',
    badToken: 'Your sign-in could not be checked, so nothing is shown. Close the tab and open it again in Microsoft Teams.',
    notConfigured: 'Sign-in for this tab is not set up yet. Ask your administrator to follow the "Tabs and single sign-on" steps in DEPLOY.md.',
    forbidden: 'This tab is for service leads and the people they have added. If you should see it, ask a service lead to send "add viewer" and mention you in their channel.',
  }[kind];
  return `<div class="nhsuk-error-summary" aria-labelledby="refused-title" role="alert" tabindex="-1">
<h2 class="nhsuk-error-summary__title" id="refused-title">${kind === 'forbidden' ? 'Not available to you' : 'Not signed in'}</h2>
<div class="nhsuk-error-summary__body"><p>${esc(text)}</p></div>
</div>`;
}

export function notice(message: string, kind: 'success' | 'error' = 'success'): string {
  if (kind === 'error') {
    return `<div class="nhsuk-error-summary" role="alert" tabindex="-1" data-focus><h2 class="nhsuk-error-summary__title">There is a problem</h2><div class="nhsuk-error-summary__body"><p>${esc(message)}</p></div></div>`;
  }
  return `<div class="nhsuk-inset-text notice" role="status" tabindex="-1" data-focus><span class="nhsuk-u-visually-hidden">Information: </span><p>${esc(message)}</p></div>`;
}
