import { describe, expect, it } from 'vitest';
import { crashSummary, withoutInternals } from '../../functions/core/shared/public-text.ts';

describe('text a client may see', () => {
  it('drops stack frames and internal lines, and masks paths, file URLs, loopback addresses and ARNs', () => {
    const text = [
      'failed: it did not answer on http://127.0.0.1:41234/service; Error: crashed in /var/tmp/slipway/ab/server.js',
      '    at Object.<anonymous> (/var/tmp/slipway/ab/server.js:1:7)',
      '    at Module._compile (node:internal/modules/cjs/loader:1376:14)',
      'see file:///root/.slipway/build/x.mjs and role arn:aws:iam::123456789012:role/slipway-app',
    ].join('\n');
    expect(withoutInternals(text)).toBe(
      'failed: it did not answer on /service; Error: crashed in <path>/server.js\nsee <file> and role <aws resource>',
    );
  });

  it('leaves an endpoint path and ordinary words alone', () => {
    expect(withoutInternals("the endpoint /service of application 'a' answered 500")).toBe(
      "the endpoint /service of application 'a' answered 500",
    );
  });

  it('sums up a crash by its last error line, or its last line, without what follows it', () => {
    const node = [
      'node:internal/modules/cjs/loader:1228',
      '  throw err;',
      '',
      "Error: Cannot find module './missing'",
      'Require stack:',
      '- /tmp/ws/server.js',
      '    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15)',
      "  code: 'MODULE_NOT_FOUND',",
      'Node.js v20.20.2',
    ];
    expect(crashSummary(node)).toBe("Error: Cannot find module './missing'");
    expect(crashSummary(['starting', 'cannot connect to the database'])).toBe(
      'cannot connect to the database',
    );
    expect(crashSummary([])).toBeUndefined();
  });
});
