/**
 * A local stand-in for the Cognito user-pool calls `hilum login` makes, speaking the
 * service's JSON protocol (X-Amz-Target, application/x-amz-json-1.1) so that the real AWS
 * SDK client talks to it: USER_SRP_AUTH with the server side of SRP-6a (it keeps only a
 * salt and a verifier, and checks the client's password claim), NEW_PASSWORD_REQUIRED,
 * MFA_SETUP (AssociateSoftwareToken, VerifySoftwareToken), SOFTWARE_TOKEN_MFA with RFC 6238
 * codes, REFRESH_TOKEN_AUTH and RevokeToken. ID tokens come from the caller's `mint`, e.g. the
 * local commons' issuer, so the API accepts them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { claimSignature, derivedKey, modPow, passwordExponent, scrambler, SRP_G, SRP_K, SRP_N } from '../../cli/lib/srp';
import { newTotpSecret, totpMatches } from './totp';

export interface StandInUser {
  readonly email: string;
  password: string;
  readonly groups: readonly string[];
  /** An administrator's temporary password: the first sign-in must set a new one. */
  temporary?: boolean;
  /** Set once the user has set up an authenticator. */
  totpSecret?: string;
}

interface Stored extends StandInUser {
  readonly sub: string;
  salt: string;
  verifier: bigint;
}

export interface CognitoStandIn {
  readonly endpoint: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly calls: string[];
  user(email: string): StandInUser;
  close(): Promise<void>;
}

class CognitoError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const POLICY = /^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)(?=.*[^A-Za-z0-9]).{14,}$/;

export async function startCognitoStandIn(options: {
  users: StandInUser[];
  mint: (user: { email: string; sub: string; groups: readonly string[] }, ttlSeconds: number) => Promise<string>;
  idTokenSeconds?: number;
}): Promise<CognitoStandIn> {
  const userPoolId = 'us-east-1_StandIn01';
  const poolName = 'StandIn01';
  const clientId = 'standinclient';
  const ttl = options.idTokenSeconds ?? 3600;
  const calls: string[] = [];
  const users = new Map<string, Stored>();
  const setPassword = (user: Stored, password: string) => {
    user.password = password;
    user.salt = randomBytes(16).toString('hex');
    user.verifier = modPow(SRP_G, passwordExponent(poolName, user.sub, password, user.salt), SRP_N);
  };
  for (const u of options.users) {
    const stored = { ...u, sub: randomUUID(), salt: '', verifier: 0n } as Stored;
    setPassword(stored, u.password);
    users.set(u.email.toLowerCase(), stored);
  }
  const srp = new Map<string, { user: Stored; b: bigint; B: bigint; A: bigint }>();
  const sessions = new Map<
    string,
    { user: Stored; next: 'NEW_PASSWORD_REQUIRED' | 'MFA_SETUP' | 'SOFTWARE_TOKEN_MFA'; pendingSecret?: string }
  >();
  const refreshTokens = new Map<string, { user: Stored; revoked: boolean }>();

  const nextStep = (user: Stored) => {
    const next = user.temporary ? 'NEW_PASSWORD_REQUIRED' : user.totpSecret ? 'SOFTWARE_TOKEN_MFA' : 'MFA_SETUP';
    const session = randomBytes(24).toString('base64');
    sessions.set(session, { user, next });
    return { ChallengeName: next, Session: session, ChallengeParameters: { USER_ID_FOR_SRP: user.sub } };
  };
  const tokens = async (user: Stored, withRefresh: boolean) => {
    const refresh = randomBytes(32).toString('base64url');
    if (withRefresh) refreshTokens.set(refresh, { user, revoked: false });
    return {
      AuthenticationResult: {
        IdToken: await options.mint({ email: user.email, sub: user.sub, groups: user.groups }, ttl),
        AccessToken: randomBytes(24).toString('base64url'),
        ExpiresIn: ttl,
        TokenType: 'Bearer',
        ...(withRefresh ? { RefreshToken: refresh } : {}),
      },
    };
  };
  const session = (id: string | undefined, expected: string) => {
    const found = id ? sessions.get(id) : undefined;
    if (!found || found.next !== expected) throw new CognitoError('NotAuthorizedException', 'Invalid session for the user.');
    sessions.delete(id!);
    return found;
  };

  const handlers: Record<string, (body: Record<string, any>) => Promise<unknown>> = {
    async InitiateAuth(body) {
      if (body.ClientId !== clientId) throw new CognitoError('ResourceNotFoundException', 'User pool client does not exist.');
      if (body.AuthFlow === 'REFRESH_TOKEN_AUTH') {
        const found = refreshTokens.get(body.AuthParameters?.REFRESH_TOKEN);
        if (!found || found.revoked) throw new CognitoError('NotAuthorizedException', 'Invalid Refresh Token');
        return tokens(found.user, false);
      }
      if (body.AuthFlow !== 'USER_SRP_AUTH') throw new CognitoError('InvalidParameterException', 'Auth flow not enabled for this client');
      const user = users.get(String(body.AuthParameters?.USERNAME ?? '').toLowerCase());
      if (!user) throw new CognitoError('NotAuthorizedException', 'Incorrect username or password.');
      const A = BigInt(`0x${body.AuthParameters.SRP_A}`);
      if (A % SRP_N === 0n) throw new CognitoError('InvalidParameterException', 'bad SRP_A');
      const b = BigInt(`0x${randomBytes(128).toString('hex')}`) % SRP_N;
      const B = (SRP_K * user.verifier + modPow(SRP_G, b, SRP_N)) % SRP_N;
      const secretBlock = randomBytes(64).toString('base64');
      srp.set(secretBlock, { user, b, B, A });
      return {
        ChallengeName: 'PASSWORD_VERIFIER',
        ChallengeParameters: {
          SALT: user.salt,
          SRP_B: B.toString(16),
          SECRET_BLOCK: secretBlock,
          USER_ID_FOR_SRP: user.sub,
          USERNAME: user.sub,
        },
      };
    },
    async RespondToAuthChallenge(body) {
      const responses = body.ChallengeResponses ?? {};
      switch (body.ChallengeName) {
        case 'PASSWORD_VERIFIER': {
          const state = srp.get(responses.PASSWORD_CLAIM_SECRET_BLOCK);
          srp.delete(responses.PASSWORD_CLAIM_SECRET_BLOCK);
          if (!state || responses.USERNAME !== state.user.sub)
            throw new CognitoError('NotAuthorizedException', 'Incorrect username or password.');
          const u = scrambler(state.A, state.B);
          const S = modPow(state.A * modPow(state.user.verifier, u, SRP_N), state.b, SRP_N);
          const expected = claimSignature(
            derivedKey(S, u),
            poolName,
            state.user.sub,
            responses.PASSWORD_CLAIM_SECRET_BLOCK,
            responses.TIMESTAMP,
          );
          if (expected !== responses.PASSWORD_CLAIM_SIGNATURE)
            throw new CognitoError('NotAuthorizedException', 'Incorrect username or password.');
          return nextStep(state.user);
        }
        case 'NEW_PASSWORD_REQUIRED': {
          const { user } = session(body.Session, 'NEW_PASSWORD_REQUIRED');
          if (!POLICY.test(String(responses.NEW_PASSWORD ?? '')))
            throw new CognitoError('InvalidPasswordException', 'Password does not conform to policy');
          setPassword(user, responses.NEW_PASSWORD);
          user.temporary = false;
          return nextStep(user);
        }
        case 'MFA_SETUP': {
          const { user } = session(body.Session, 'MFA_SETUP');
          if (!user.totpSecret) throw new CognitoError('NotAuthorizedException', 'MFA is not set up');
          return tokens(user, true);
        }
        case 'SOFTWARE_TOKEN_MFA': {
          const { user } = session(body.Session, 'SOFTWARE_TOKEN_MFA');
          if (!totpMatches(user.totpSecret!, String(responses.SOFTWARE_TOKEN_MFA_CODE)))
            throw new CognitoError('CodeMismatchException', 'Invalid code received for user');
          return tokens(user, true);
        }
        default:
          throw new CognitoError('InvalidParameterException', `unknown challenge ${String(body.ChallengeName)}`);
      }
    },
    async AssociateSoftwareToken(body) {
      const found = session(body.Session, 'MFA_SETUP');
      const secret = newTotpSecret();
      const next = randomBytes(24).toString('base64');
      sessions.set(next, { ...found, pendingSecret: secret });
      return { SecretCode: secret, Session: next };
    },
    async VerifySoftwareToken(body) {
      const found = session(body.Session, 'MFA_SETUP');
      if (!found.pendingSecret || !totpMatches(found.pendingSecret, String(body.UserCode)))
        throw new CognitoError('EnableSoftwareTokenMFAException', 'Code mismatch');
      found.user.totpSecret = found.pendingSecret;
      const next = randomBytes(24).toString('base64');
      sessions.set(next, { user: found.user, next: 'MFA_SETUP' });
      return { Status: 'SUCCESS', Session: next };
    },
    async RevokeToken(body) {
      const found = refreshTokens.get(body.Token);
      if (found) found.revoked = true;
      return {};
    },
  };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const operation =
        String(request.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      calls.push(operation);
      const reply = (status: number, body: unknown, type?: string) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...(type ? { 'x-amzn-errortype': type } : {}) });
        response.end(JSON.stringify(body));
      };
      const handler = handlers[operation];
      if (!handler) return reply(400, { __type: 'UnknownOperationException', message: operation }, 'UnknownOperationException');
      let body: Record<string, any>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, any>;
      } catch {
        return reply(400, { __type: 'SerializationException', message: 'bad JSON' }, 'SerializationException');
      }
      handler(body).then(
        (result) => reply(200, result),
        (error: unknown) =>
          error instanceof CognitoError
            ? reply(400, { __type: error.type, message: error.message }, error.type)
            : reply(500, { __type: 'InternalErrorException', message: String(error) }, 'InternalErrorException'),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    userPoolId,
    clientId,
    calls,
    user: (email) => {
      const found = users.get(email.toLowerCase());
      if (!found) throw new Error(`no user ${email}`);
      return found;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
