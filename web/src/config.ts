/**
 * The deployment's settings, read once from `/portal-config.json`: the local commons
 * generates it, CDK writes it next to the built portal in AWS. Nothing is baked into
 * the bundle, so one build serves any API.
 */

export interface CognitoConfig {
  /** The managed login's domain, e.g. `https://hilum-123.auth.us-east-1.amazoncognito.com`. */
  readonly domain: string;
  readonly clientId: string;
  /** Where the managed login sends the code back: the portal's `/auth/callback`. */
  readonly redirectUri: string;
  readonly logoutUri?: string;
}

export interface PortalConfig {
  /** The API's base URL; empty for the portal's own origin (the local commons serves both). */
  readonly apiUrl: string;
  readonly mode: 'local' | 'aws';
  readonly cognito?: CognitoConfig;
  /** An external DICOMweb viewer (OHIF) URL template with `{studyUid}`, when one is configured. */
  readonly externalViewerUrl?: string;
}

let loaded: PortalConfig | undefined;

export async function loadConfig(): Promise<PortalConfig> {
  const response = await fetch('/portal-config.json', { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`portal-config.json answered ${response.status}`);
  const raw = (await response.json()) as Partial<PortalConfig>;
  loaded = {
    apiUrl: (raw.apiUrl ?? '').replace(/\/+$/, ''),
    mode: raw.mode === 'aws' ? 'aws' : 'local',
    ...(raw.cognito ? { cognito: raw.cognito } : {}),
    ...(raw.externalViewerUrl ? { externalViewerUrl: raw.externalViewerUrl } : {}),
  };
  return loaded;
}

/** The configuration loaded at start (main.tsx loads it before the first render). */
export function config(): PortalConfig {
  if (!loaded) throw new Error('portal configuration not loaded yet');
  return loaded;
}
