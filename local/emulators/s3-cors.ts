/**
 * A bucket's CORS configuration evaluated as S3 evaluates it: the rules in order, the first
 * whose AllowedOrigins match the request's Origin (one `*` wildcard per entry; `*` alone
 * matches any origin, `null` included), whose AllowedMethods hold the method (for a preflight,
 * Access-Control-Request-Method) and, for a preflight, whose AllowedHeaders cover every
 * header named in Access-Control-Request-Headers. A rule whose origin entry is `*` answers
 * `Access-Control-Allow-Origin: *` without credentials; an exact one echoes the origin with
 * `Access-Control-Allow-Credentials: true`.
 */

/** One rule, in the template's shape (`AWS::S3::Bucket` `CorsConfiguration.CorsRules`). */
export interface S3CorsRule {
  readonly AllowedMethods: readonly string[];
  readonly AllowedOrigins: readonly string[];
  readonly AllowedHeaders?: readonly string[];
  readonly ExposedHeaders?: readonly string[];
  readonly MaxAge?: number;
}

export interface CorsRequest {
  readonly origin: string;
  readonly method: string;
  /** For a preflight: the lower-cased header names of Access-Control-Request-Headers. */
  readonly requestHeaders?: readonly string[];
}

const VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';

/** The first rule that allows the request, or undefined (then S3 sends no CORS header, or refuses a preflight). */
export function matchingRule(rules: readonly S3CorsRule[], request: CorsRequest): S3CorsRule | undefined {
  return rules.find(
    (rule) =>
      rule.AllowedOrigins.some((allowed) => wildcardMatch(allowed, request.origin)) &&
      rule.AllowedMethods.includes(request.method) &&
      (request.requestHeaders ?? []).every((name) =>
        (rule.AllowedHeaders ?? []).some((allowed) => wildcardMatch(allowed.toLowerCase(), name)),
      ),
  );
}

/** The headers of an answer (simple or actual request) the rule allows. */
export function corsAnswerHeaders(rule: S3CorsRule, origin: string): Record<string, string> {
  const any = rule.AllowedOrigins.includes('*');
  return {
    'Access-Control-Allow-Origin': any ? '*' : origin,
    ...(any ? {} : { 'Access-Control-Allow-Credentials': 'true' }),
    'Access-Control-Allow-Methods': rule.AllowedMethods.join(', '),
    ...(rule.ExposedHeaders?.length ? { 'Access-Control-Expose-Headers': rule.ExposedHeaders.join(', ') } : {}),
    ...(rule.MaxAge !== undefined ? { 'Access-Control-Max-Age': String(rule.MaxAge) } : {}),
    Vary: VARY,
  };
}

/** The headers of a preflight's 200 answer: the answer headers plus the request headers it allowed. */
export function preflightHeaders(rule: S3CorsRule, request: CorsRequest): Record<string, string> {
  return {
    ...corsAnswerHeaders(rule, request.origin),
    ...(request.requestHeaders?.length ? { 'Access-Control-Allow-Headers': request.requestHeaders.join(', ') } : {}),
  };
}

/** The comma-separated header list of Access-Control-Request-Headers, lower-cased. */
export function requestedHeaders(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h.length > 0);
}

/** S3's matching: the pattern may hold one `*`, which stands for any run of characters. */
function wildcardMatch(pattern: string, value: string): boolean {
  const star = pattern.indexOf('*');
  if (star < 0) return pattern === value;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return value.length >= head.length + tail.length && value.startsWith(head) && value.endsWith(tail);
}
