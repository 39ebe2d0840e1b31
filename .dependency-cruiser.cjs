/**
 * The layering of `functions/`, `cli/` and `console/`, checked by `npm run lint`
 * (dependency-cruiser). Data flows one way: handlers → wiring → adapters, and everything →
 * core; core depends on nothing of ours but itself and on no SDK; the CLI and the console are
 * clients of the API and import none of it. A violation fails lint with the rule's name.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make load order matter and hide which module owns what.',
      from: { path: '^(functions|cli)/' },
      to: { circular: true },
    },
    {
      name: 'core-is-pure',
      severity: 'error',
      comment:
        'The domain (functions/core) holds the rules; it imports nothing from adapters, http, handlers, wiring, tasks, builds, local or the configuration.',
      from: { path: '^functions/core/' },
      to: { path: '^functions/(adapters|http|handlers|wiring|tasks|builds|local)/|^functions/config\\.ts$' },
    },
    {
      name: 'core-no-sdk',
      severity: 'error',
      comment: 'The domain never imports the AWS SDK, Lambda types or middleware: adapters do.',
      from: { path: '^functions/core/' },
      to: { path: 'node_modules/(@aws-sdk|@smithy|@aws-lambda-powertools|@middy|aws-lambda)/' },
    },
    {
      name: 'adapters-are-driven',
      severity: 'error',
      comment: 'Adapters implement ports; they never reach back into handlers, http, wiring, tasks or local.',
      from: { path: '^functions/adapters/' },
      to: { path: '^functions/(handlers|http|wiring|tasks|local)/' },
    },
    {
      name: 'handlers-through-wiring',
      severity: 'error',
      comment: 'A handler gets its adapters from its composition root in functions/wiring, never directly.',
      from: { path: '^functions/(handlers|builds)/' },
      to: { path: '^functions/adapters/' },
    },
    {
      name: 'plumbing-not-wired',
      severity: 'error',
      comment:
        'functions/http and functions/tasks are shared plumbing: they take their dependencies as arguments and import no adapter or composition root.',
      from: { path: '^functions/(http|tasks)/' },
      to: { path: '^functions/(adapters|wiring|handlers|local)/' },
    },
    {
      name: 'wiring-is-not-an-entry',
      severity: 'error',
      comment:
        'Composition roots assemble adapters for entry points; they import no entry point or HTTP plumbing.',
      from: { path: '^functions/wiring/' },
      to: { path: '^functions/(handlers|http|tasks|local)/' },
    },
    {
      name: 'deployed-code-not-local',
      severity: 'error',
      comment: 'What runs on Lambda or CodeBuild never imports the embedded stack of npm start.',
      from: { path: '^functions/(core|adapters|http|handlers|wiring|tasks|builds)/' },
      to: { path: '^functions/local/' },
    },
    {
      name: 'cli-is-a-client',
      severity: 'error',
      comment:
        'The slipway CLI (cli/) is a client of the public API: it knows the server only through the types generated from /openapi.json, never its code.',
      from: { path: '^cli/' },
      to: { path: '^(functions|infra|scripts|bench|test)/' },
    },
    {
      name: 'console-is-a-client',
      severity: 'error',
      comment:
        'The web console (console/) is a client of the public API like any other: it imports nothing from functions/, only the typed client generated from /openapi.json.',
      from: { path: '^console/' },
      to: { path: '^functions/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
