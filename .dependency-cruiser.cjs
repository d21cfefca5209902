/**
 * The rooms of src/ and what each may import (npm run deps; npm test runs it before jest, so CI fails when a
 * rule is broken). The shell (src/bot, src/app.ts, src/server.ts, src/index.ts) sits on top; src/turn and
 * src/cards below every feature; @azure/cosmos only in src/store; restify only in src/server.ts.
 */

const shell = '^src/(bot/|app\\.ts$|server\\.ts$|index\\.ts$)';
const domain = '^src/(booking|cards|coaching|coachSession|coachingModel|documents|persistence|proactive|safety|serviceEvents|store|tabs|teams|turn)/';

module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycle',
      comment: 'No import cycle between folders of src/: each room depends only on rooms below it.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'cosmos-only-in-store',
      comment: '@azure/cosmos is imported only by the Cosmos implementations in src/store/.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/store/' },
      to: { path: '^node_modules/@azure/cosmos/' },
    },
    {
      name: 'restify-only-in-server',
      comment: 'The HTTP server is src/server.ts; everything else is handed what it needs.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/server\\.ts$' },
      to: { path: '^node_modules/(@types/)?restify/' },
    },
    {
      name: 'domain-not-to-shell',
      comment: 'Features and the rooms below them never import the shell (src/bot, src/app.ts, src/server.ts, src/index.ts).',
      severity: 'error',
      from: { path: domain },
      to: { path: shell },
    },
    {
      name: 'turn-below-features',
      comment: 'src/turn is what features share: it imports no feature.',
      severity: 'error',
      from: { path: '^src/turn/' },
      to: { path: '^src/(booking|coaching|coachSession|documents|proactive|safety|serviceEvents|store|tabs)/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing is a mistake.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.spec\\.ts$' },
  },
};
