import { config } from '../config';
import { refreshCognitoSession } from './cognito';

/** One refresh attempt after a 401: Cognito's refresh token in AWS; a local token is simply signed again for. */
export async function refreshSession(): Promise<boolean> {
  return config().mode === 'aws' ? refreshCognitoSession() : false;
}
