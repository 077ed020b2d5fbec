import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * The public base URL of the API as the caller reached it (for DICOMweb RetrieveURLs):
 * scheme from API Gateway's X-Forwarded-Proto, host, and the stage prefix API Gateway
 * adds to the path (`/v1`); the local API serves at its root.
 */
export function apiBaseUrl(event: APIGatewayProxyEvent): string {
  const header = (name: string) => Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1];
  const proto = header('x-forwarded-proto') ?? 'http';
  const host = header('host') ?? event.requestContext?.domainName ?? 'localhost';
  const full = event.requestContext?.path ?? '';
  const prefix = event.requestContext?.stage !== 'local' && full.endsWith(event.path) ? full.slice(0, full.length - event.path.length) : '';
  return `${proto}://${host}${prefix}`;
}

export function headerOf(event: APIGatewayProxyEvent, name: string): string | undefined {
  return Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1];
}
