import {
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  VerifySoftwareTokenCommand,
  type AuthenticationResultType,
  type ChallengeNameType,
} from '@aws-sdk/client-cognito-identity-provider';
import { clientEphemeral, passwordClaim } from './srp';

/** The user pool and public client a commons signs its users in with (the stack's outputs). */
export interface CognitoTarget {
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  /** Another Cognito endpoint (LocalStack, a test's stand-in); default: the region's. */
  readonly endpoint?: string;
}

export interface SessionTokens {
  /** What the API takes as its bearer token. */
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  /** When the ID token expires (ISO 8601). */
  readonly expiresAt: string;
}

/** What the sign-in asks the person at the keyboard; each answer is read only when the pool asks for it. */
export interface SignInPrompts {
  password(): Promise<string>;
  /** A first sign-in with an administrator's temporary password: the new one. */
  newPassword(): Promise<string>;
  /** A first sign-in without an authenticator: shows its secret, returns its first code. */
  setUpAuthenticator(secret: string, otpauthUri: string): Promise<string>;
  mfaCode(): Promise<string>;
}

/** A refusal by the sign-in service, in words a person can act on (never the password or a code). */
export class SignInError extends Error {
  override readonly name = 'SignInError';
}

const MESSAGES: Record<string, string> = {
  NotAuthorizedException: 'the user name or password is wrong, or the user is disabled',
  UserNotFoundException: 'the user name or password is wrong, or the user is disabled',
  CodeMismatchException: 'the authenticator code is wrong',
  ExpiredCodeException: 'the authenticator code has expired; use the next one',
  EnableSoftwareTokenMFAException: 'the authenticator code is wrong; set it up again and use its current code',
  InvalidPasswordException:
    "the new password does not meet the pool's policy (at least 14 characters with upper and lower case, digits and symbols)",
  PasswordResetRequiredException: 'an administrator asked for a password reset: ask them for a new temporary password',
  TooManyRequestsException: 'too many attempts; wait a minute and try again',
  LimitExceededException: 'too many attempts; wait a minute and try again',
  ResourceNotFoundException: 'the user pool or client id is wrong (take both from the stack outputs UserPoolId and UserPoolClientId)',
};

function client(target: CognitoTarget): CognitoIdentityProviderClient {
  // The sign-in calls are unauthenticated: no AWS credentials are needed or sent.
  return new CognitoIdentityProviderClient({
    region: target.region,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
  });
}

async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = MESSAGES[name];
    if (message) throw new SignInError(message);
    throw error;
  }
}

function tokensOf(result: AuthenticationResultType | undefined, refreshToken: string | undefined, now: Date): SessionTokens {
  if (!result?.IdToken || !result.AccessToken || !(result.RefreshToken ?? refreshToken))
    throw new SignInError('the sign-in service answered without tokens');
  return {
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    refreshToken: (result.RefreshToken ?? refreshToken)!,
    expiresAt: new Date(now.getTime() + (result.ExpiresIn ?? 3600) * 1000).toISOString(),
  };
}

/**
 * Signs a user in with Cognito's SRP flow (the only one the commons' client allows) and
 * answers the challenges a pool with required TOTP MFA puts: the password verifier, a new
 * password on the first sign-in, the authenticator's set-up, then its code.
 */
export async function signIn(
  target: CognitoTarget,
  username: string,
  prompts: SignInPrompts,
  now = () => new Date(),
): Promise<SessionTokens> {
  const cognito = client(target);
  try {
    const { a, A } = clientEphemeral();
    const poolName = target.userPoolId.split('_')[1] ?? target.userPoolId;
    let answer = await call(() =>
      cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_SRP_AUTH',
          ClientId: target.clientId,
          AuthParameters: { USERNAME: username, SRP_A: A.toString(16) },
        }),
      ),
    );
    let userId = username;
    for (let step = 0; step < 8; step += 1) {
      if (answer.AuthenticationResult) return tokensOf(answer.AuthenticationResult, undefined, now());
      const challenge = answer.ChallengeName as ChallengeNameType | undefined;
      const parameters = answer.ChallengeParameters ?? {};
      userId = parameters.USER_ID_FOR_SRP ?? parameters.USERNAME ?? userId;
      const respond = (responses: Record<string, string>, name: ChallengeNameType = challenge!, session = answer.Session) =>
        call(() =>
          cognito.send(
            new RespondToAuthChallengeCommand({
              ChallengeName: name,
              ClientId: target.clientId,
              ChallengeResponses: { USERNAME: userId, ...responses },
              ...(session ? { Session: session } : {}),
            }),
          ),
        );
      switch (challenge) {
        case 'PASSWORD_VERIFIER': {
          const claim = passwordClaim({
            poolName,
            userId,
            password: await prompts.password(),
            saltHex: parameters.SALT ?? '',
            serverBHex: parameters.SRP_B ?? '',
            secretBlock: parameters.SECRET_BLOCK ?? '',
            a,
            A,
            now: now(),
          });
          answer = await respond({
            PASSWORD_CLAIM_SECRET_BLOCK: parameters.SECRET_BLOCK ?? '',
            TIMESTAMP: claim.timestamp,
            PASSWORD_CLAIM_SIGNATURE: claim.signature,
          });
          break;
        }
        case 'NEW_PASSWORD_REQUIRED':
          answer = await respond({ NEW_PASSWORD: await prompts.newPassword() });
          break;
        case 'MFA_SETUP': {
          const associated = await call(() => cognito.send(new AssociateSoftwareTokenCommand({ Session: answer.Session })));
          const secret = associated.SecretCode ?? '';
          const uri = `otpauth://totp/hilum:${encodeURIComponent(username)}?secret=${secret}&issuer=hilum`;
          const code = await prompts.setUpAuthenticator(secret, uri);
          const verified = await call(() =>
            cognito.send(new VerifySoftwareTokenCommand({ Session: associated.Session, UserCode: code, FriendlyDeviceName: 'hilum' })),
          );
          if (verified.Status !== 'SUCCESS')
            throw new SignInError('the authenticator code is wrong; set it up again and use its current code');
          answer = await respond({}, 'MFA_SETUP', verified.Session);
          break;
        }
        case 'SELECT_MFA_TYPE':
          answer = await respond({ ANSWER: 'SOFTWARE_TOKEN_MFA' });
          break;
        case 'SOFTWARE_TOKEN_MFA':
          answer = await respond({ SOFTWARE_TOKEN_MFA_CODE: await prompts.mfaCode() });
          break;
        default:
          throw new SignInError(`the user pool asks for ${String(challenge)}, which hilum login cannot answer`);
      }
    }
    throw new SignInError('the sign-in did not finish');
  } finally {
    cognito.destroy();
  }
}

/** New ID and access tokens from the refresh token (it lasts 7 days); the refresh token itself stays. */
export async function refreshSession(target: CognitoTarget, refreshToken: string, now = () => new Date()): Promise<SessionTokens> {
  const cognito = client(target);
  try {
    const answer = await call(() =>
      cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          ClientId: target.clientId,
          AuthParameters: { REFRESH_TOKEN: refreshToken },
        }),
      ),
    );
    return tokensOf(answer.AuthenticationResult, refreshToken, now());
  } finally {
    cognito.destroy();
  }
}

/** Ends the session at the pool: the refresh token and the tokens it gave stop working. */
export async function revokeSession(target: CognitoTarget, refreshToken: string): Promise<void> {
  const cognito = client(target);
  try {
    await call(() => cognito.send(new RevokeTokenCommand({ ClientId: target.clientId, Token: refreshToken })));
  } finally {
    cognito.destroy();
  }
}
