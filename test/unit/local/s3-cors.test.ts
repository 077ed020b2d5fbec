/**
 * The local S3's CORS rules, evaluated as S3 evaluates a bucket's CorsConfiguration: first
 * matching rule, origin wildcards, methods, requested headers, and the headers it answers.
 */
import { corsAnswerHeaders, matchingRule, preflightHeaders, requestedHeaders, type S3CorsRule } from '../../../local/emulators/s3-cors';

const PORTAL = 'http://localhost:5173';
const exact: S3CorsRule = { AllowedMethods: ['PUT'], AllowedOrigins: [PORTAL], AllowedHeaders: ['*'], ExposedHeaders: ['ETag'] };
const anyRead: S3CorsRule = { AllowedMethods: ['GET', 'HEAD'], AllowedOrigins: ['*'], AllowedHeaders: ['accept', 'x-amz-*'], MaxAge: 3000 };

describe('S3 CORS rules', () => {
  it('takes the first rule whose origin and method match', () => {
    expect(matchingRule([exact, anyRead], { origin: PORTAL, method: 'PUT' })).toBe(exact);
    expect(matchingRule([exact, anyRead], { origin: PORTAL, method: 'GET' })).toBe(anyRead);
    expect(matchingRule([exact], { origin: 'http://localhost:5174', method: 'PUT' })).toBeUndefined();
    expect(matchingRule([anyRead], { origin: 'null', method: 'PUT' })).toBeUndefined();
  });

  it('lets * match any origin, null included, and one * inside an origin match a run of characters', () => {
    expect(matchingRule([anyRead], { origin: 'null', method: 'GET' })).toBe(anyRead);
    const sub: S3CorsRule = { AllowedMethods: ['GET'], AllowedOrigins: ['https://*.example.org'] };
    expect(matchingRule([sub], { origin: 'https://portal.example.org', method: 'GET' })).toBe(sub);
    expect(matchingRule([sub], { origin: 'https://example.org', method: 'GET' })).toBeUndefined();
  });

  it('requires every requested header to be allowed, by name or wildcard, case-insensitively', () => {
    expect(matchingRule([anyRead], { origin: 'null', method: 'GET', requestHeaders: requestedHeaders('Accept, X-Amz-Date') })).toBe(
      anyRead,
    );
    expect(matchingRule([anyRead], { origin: 'null', method: 'GET', requestHeaders: ['authorization'] })).toBeUndefined();
  });

  it('answers * without credentials for a * rule, and the origin with credentials for an exact one', () => {
    expect(corsAnswerHeaders(anyRead, 'null')).toMatchObject({ 'Access-Control-Allow-Origin': '*', 'Access-Control-Max-Age': '3000' });
    expect(corsAnswerHeaders(anyRead, 'null')['Access-Control-Allow-Credentials']).toBeUndefined();
    expect(corsAnswerHeaders(exact, PORTAL)).toMatchObject({
      'Access-Control-Allow-Origin': PORTAL,
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Expose-Headers': 'ETag',
    });
    expect(preflightHeaders(anyRead, { origin: 'null', method: 'GET', requestHeaders: ['accept'] })['Access-Control-Allow-Headers']).toBe(
      'accept',
    );
  });
});
