import { config } from '../config';
import { sharedRefresh } from '../lib/refresh-once';
import { refreshCognitoSession } from './cognito';

/**
 * One refresh attempt after a 401: Cognito's refresh token in AWS; a local token is simply signed
 * again for. Requests that hit a 401 together share one attempt.
 */
export const refreshSession: () => Promise<boolean> = sharedRefresh(async () =>
  config().mode === 'aws' ? refreshCognitoSession() : false,
);
