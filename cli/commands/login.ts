import { Command, stringOption, UsageError, type ParsedArgs } from '../command';
import { CliError, EXIT } from '../exit-codes';
import { revokeSession, signIn, SignInError, type SignInPrompts } from '../lib/cognito-sign-in';
import { PromptEnded, terminalPrompter } from '../lib/prompt';
import {
  currentIdToken,
  forgetSession,
  loadProfile,
  loadSession,
  profileName,
  ProfileNotFound,
  saveProfile,
  saveSession,
  SessionMissing,
  type SignInProfile,
} from '../lib/sign-in-profiles';

/** Turns the sign-in's own failures into one line and an exit code; anything else is a bug and propagates. */
async function explained<T>(command: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof SignInError || error instanceof SessionMissing)
      throw new CliError(`hilum ${command}: ${error.message}`, EXIT.denied);
    if (error instanceof PromptEnded) throw new CliError(`hilum ${command}: ${error.message}`, EXIT.usage);
    if (error instanceof ProfileNotFound) throw new UsageError(error.message);
    throw error;
  }
}

/** The claims of an ID token worth showing (decoded, not verified: the API verifies it). */
function claimsOf(idToken: string): { email?: string; username?: string; groups: string[]; expiresAt?: string } {
  try {
    const payload = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    return {
      ...(typeof payload.email === 'string' ? { email: payload.email } : {}),
      ...(typeof payload['cognito:username'] === 'string' ? { username: payload['cognito:username'] } : {}),
      groups: Array.isArray(payload['cognito:groups']) ? payload['cognito:groups'].map(String) : [],
      ...(typeof payload.exp === 'number' ? { expiresAt: new Date(payload.exp * 1000).toISOString() } : {}),
    };
  } catch {
    return { groups: [] };
  }
}

function profileFromArgs(args: ParsedArgs, existing: SignInProfile | undefined): SignInProfile {
  const apiUrl = (stringOption(args, 'api') ?? existing?.apiUrl)?.replace(/\/+$/, '');
  const userPoolId = stringOption(args, 'user-pool') ?? existing?.userPoolId;
  const clientId = stringOption(args, 'client-id') ?? existing?.clientId;
  if (!apiUrl || !userPoolId || !clientId)
    throw new UsageError(
      'a new profile needs --api, --user-pool and --client-id (the stack outputs ApiUrl, UserPoolId, UserPoolClientId; docs/deploy.md)',
    );
  if (!URL.canParse(apiUrl) || !/^https?:$/.test(new URL(apiUrl).protocol)) throw new UsageError(`--api '${apiUrl}' is not an http(s) URL`);
  const region = stringOption(args, 'region') ?? existing?.region ?? /^([a-z]{2}(?:-[a-z]+)+-\d+)_/.exec(userPoolId)?.[1];
  if (!region) throw new UsageError(`cannot tell the region from the user pool id '${userPoolId}': pass --region`);
  const endpoint = stringOption(args, 'cognito-endpoint') ?? existing?.endpoint;
  const username = stringOption(args, 'username') ?? existing?.username;
  return { apiUrl, userPoolId, clientId, region, ...(endpoint ? { endpoint } : {}), ...(username ? { username } : {}) };
}

export const loginCommand: Command = {
  name: 'login',
  summary: 'sign in to a deployed commons (Cognito, MFA) and keep the session',
  usage: `Usage: hilum login [--profile NAME] [--api URL --user-pool ID --client-id ID] [--username EMAIL]
                   [--region REGION] [--cognito-endpoint URL]

Signs in to a deployed commons' user pool (SRP: the password never leaves this machine;
then the authenticator code, MFA being required) and keeps the session in the profile,
so that upload, download and the other commands need no HILUM_TOKEN: they use the
profile's ID token and refresh it (the refresh token lasts 7 days). A first sign-in with
an administrator's temporary password sets a new one and sets up the authenticator.
Profiles live in $XDG_CONFIG_HOME/hilum (default ~/.config/hilum), the session readable
by you only.

  --profile NAME          the profile (default: HILUM_PROFILE, else 'default'); it
                          becomes the one commands use when they name none
  --api URL               the stack output ApiUrl (first sign-in of a profile)
  --user-pool ID          the stack output UserPoolId (first sign-in of a profile)
  --client-id ID          the stack output UserPoolClientId (first sign-in of a profile)
  --region REGION         default: the user pool id's region
  --username EMAIL        default: the profile's last one, else asked
  --cognito-endpoint URL  another Cognito endpoint (LocalStack, tests)

The password and codes are asked on the terminal (without echo); when standard input is
not a terminal they are read from its lines, in the order asked.

Examples:
  npx hilum login --profile midrc --api https://abc.execute-api.us-east-1.amazonaws.com/v1 \\
    --user-pool us-east-1_AbCdEf --client-id 1example23 --username me@example.org
  npx hilum login --profile midrc
  npx hilum whoami`,
  options: {
    profile: { type: 'string' },
    api: { type: 'string' },
    'user-pool': { type: 'string' },
    'client-id': { type: 'string' },
    region: { type: 'string' },
    username: { type: 'string' },
    'cognito-endpoint': { type: 'string' },
  },
  async run(args) {
    return explained('login', async () => {
      const name = await profileName(stringOption(args, 'profile'));
      const profile = profileFromArgs(args, await loadProfile(name));
      const prompter = terminalPrompter();
      try {
        const username = profile.username ?? (await prompter.ask('Email: '));
        if (!username) throw new UsageError('no user name given');
        const prompts: SignInPrompts = {
          password: () => prompter.secret('Password: '),
          newPassword: async () => {
            console.error('First sign-in: choose your own password (at least 14 characters, upper and lower case, digits and symbols).');
            const first = await prompter.secret('New password: ');
            if ((await prompter.secret('New password again: ')) !== first) throw new SignInError('the two new passwords differ');
            return first;
          },
          setUpAuthenticator: async (secret, uri) => {
            console.error(
              `Multi-factor authentication is required. Add this key to your authenticator app:\n  ${secret}\n(or the link ${uri})`,
            );
            return prompter.ask('Code shown by the authenticator: ');
          },
          mfaCode: () => prompter.ask('Authenticator code: '),
        };
        const tokens = await signIn(profile, username, prompts);
        await saveProfile(name, { ...profile, username });
        await saveSession(name, tokens);
        const claims = claimsOf(tokens.idToken);
        console.error(
          `signed in to ${profile.apiUrl} as ${claims.email ?? username}` +
            `${claims.groups.length ? ` (${claims.groups.join(', ')})` : ''}; profile '${name}'; the session lasts up to 7 days`,
        );
        return EXIT.ok;
      } finally {
        prompter.close();
      }
    });
  },
};

export const logoutCommand: Command = {
  name: 'logout',
  summary: "end a profile's session (revoked at the user pool, removed here)",
  usage: `Usage: hilum logout [--profile NAME]

Revokes the profile's refresh token at the user pool (the tokens it gave stop being
refreshed) and deletes the session kept here. The profile's settings stay.

  --profile NAME   default: HILUM_PROFILE, else the profile signed in to last`,
  options: { profile: { type: 'string' } },
  async run(args) {
    return explained('logout', async () => {
      const name = await profileName(stringOption(args, 'profile'));
      const [profile, session] = [await loadProfile(name), await loadSession(name)];
      if (!profile || !session) {
        console.error(`profile '${name}' has no session: nothing to do`);
        return EXIT.ok;
      }
      try {
        await revokeSession(profile, session.refreshToken);
      } catch (error) {
        console.error(
          `could not revoke the session at the user pool (${error instanceof Error ? error.message : String(error)}); it is removed here and ends within 7 days`,
        );
      }
      await forgetSession(name);
      console.error(`signed out of profile '${name}'`);
      return EXIT.ok;
    });
  },
};

export const whoamiCommand: Command = {
  name: 'whoami',
  summary: 'show who the current profile is signed in as',
  usage: `Usage: hilum whoami [--profile NAME] [--json]

Shows the profile, its API, the signed-in user and their roles (the groups of the ID
token) and until when the token is valid, refreshing it first when it is about to expire.

  --profile NAME   default: HILUM_PROFILE, else the profile signed in to last
  --json           one JSON document`,
  options: { profile: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    return explained('whoami', async () => {
      const name = await profileName(stringOption(args, 'profile'));
      const { idToken, profile } = await currentIdToken(name);
      const claims = claimsOf(idToken);
      const facts = {
        profile: name,
        api: profile.apiUrl,
        user: claims.email ?? claims.username ?? profile.username,
        roles: claims.groups,
        expiresAt: claims.expiresAt,
      };
      if (args.values.json) console.log(JSON.stringify(facts));
      else
        console.log(
          `${facts.user} on ${facts.api} (profile '${name}')\nroles: ${facts.roles.join(', ') || 'none'}\ntoken valid until ${facts.expiresAt ?? 'unknown'}`,
        );
      return EXIT.ok;
    });
  },
};
