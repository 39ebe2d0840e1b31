import { describe, expect, it } from 'vitest';
import { corsHeaders, parseCorsOrigins } from '../../functions/http/cors.ts';

describe('parseCorsOrigins', () => {
  it('is empty (CORS off) when unset or blank', () => {
    expect(parseCorsOrigins(undefined)).toEqual([]);
    expect(parseCorsOrigins(' , ')).toEqual([]);
  });

  it('takes origins as browsers send them: trimmed, lower-case, no trailing slash, each once', () => {
    expect(
      parseCorsOrigins(' https://Console.example.com/ ,http://localhost:5173,https://console.example.com'),
    ).toEqual(['https://console.example.com', 'http://localhost:5173']);
    expect(parseCorsOrigins('*')).toEqual(['*']);
  });

  it.each(['console.example.com', 'https://console.example.com/app', 'ftp://x.example', 'https://a b'])(
    'refuses %s, naming it',
    (value) => {
      expect(() => parseCorsOrigins(value)).toThrow(`'${value.toLowerCase()}' is not an origin`);
    },
  );
});

describe('corsHeaders', () => {
  const allowed = ['https://console.example.com'];

  it('adds nothing when CORS is off, for a request with no Origin, or from an origin not listed', () => {
    expect(corsHeaders([], { method: 'GET', origin: 'https://console.example.com' })).toBeUndefined();
    expect(corsHeaders(allowed, { method: 'GET' })).toBeUndefined();
    expect(corsHeaders(allowed, { method: 'GET', origin: 'https://evil.example' })).toBeUndefined();
  });

  it('names the origin, varies on it and exposes the headers clients read, on an ordinary request', () => {
    expect(corsHeaders(allowed, { method: 'POST', origin: 'https://console.example.com' })).toEqual({
      preflight: false,
      headers: {
        'access-control-allow-origin': 'https://console.example.com',
        vary: 'Origin',
        'access-control-expose-headers':
          'etag, location, retry-after, idempotent-replayed, ratelimit-limit, ratelimit-remaining, ratelimit-reset, ratelimit-policy',
      },
    });
  });

  it('answers a preflight with the methods, the headers both dialects send, and how long to keep it', () => {
    const answer = corsHeaders(allowed, {
      method: 'OPTIONS',
      origin: 'https://console.example.com',
      requestMethod: 'DELETE',
    });

    expect(answer?.preflight).toBe(true);
    expect(answer?.headers).toMatchObject({
      'access-control-allow-origin': 'https://console.example.com',
      'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE',
      'access-control-max-age': '600',
    });
    expect(answer?.headers['access-control-allow-headers']).toContain('x-auth-token');
  });

  it('allows any origin with *, and an OPTIONS without Access-Control-Request-Method is no preflight', () => {
    expect(corsHeaders(['*'], { method: 'OPTIONS', origin: 'https://any.example' })).toMatchObject({
      preflight: false,
      headers: { 'access-control-allow-origin': '*' },
    });
  });
});
