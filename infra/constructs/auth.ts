import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { META, describe } from './metadata';

/** The role groups every deployment has; site uploaders get one group per site. */
export const ROLE_GROUPS = ['researcher', 'curator', 'dac', 'admin', 'linker', 'evaluator'] as const;
export const SITE_UPLOADER_PREFIX = 'site-uploader:';
const SITE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface AuthProps {
  /** Contributing sites; each gets a `site-uploader:<site>` group. */
  readonly sites: readonly string[];
  /**
   * The web portal's origin (CloudFront): the app client then also signs people in through
   * Cognito's managed login (authorization code + PKCE) and returns to `<origin>/auth/callback`.
   * The same client, so its ID tokens carry the audience the API verifies.
   */
  readonly portalOrigin?: string;
}

/**
 * Cognito: the user pool (admin-created users only, MFA required, strong
 * passwords, threat protection), the role groups, and the public client the CLI
 * signs in with (SRP, refresh tokens, no secret).
 */
export class Auth extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly groupNames: readonly string[];
  /** With a portal: Cognito's managed login domain. */
  readonly loginDomain?: cognito.UserPoolDomain;

  constructor(scope: Construct, id: string, props: AuthProps) {
    super(scope, id);
    for (const site of props.sites) {
      if (!SITE_ID.test(site)) throw new Error(`hilum: site id '${site}' must be lowercase letters, digits and dashes`);
    }
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    describe(this.userPool, META.userPool, 'users');

    const groups = [...ROLE_GROUPS, ...props.sites.map((s) => `${SITE_UPLOADER_PREFIX}${s}`)];
    groups.forEach((groupName) => {
      new cognito.CfnUserPoolGroup(this, `Group-${groupName.replace(':', '-')}`, {
        userPoolId: this.userPool.userPoolId,
        groupName,
        description: groupName.startsWith(SITE_UPLOADER_PREFIX)
          ? `Uploads submissions for site ${groupName.slice(SITE_UPLOADER_PREFIX.length)}`
          : `hilum ${groupName} role`,
      });
    });
    this.groupNames = groups;

    this.client = this.userPool.addClient('CliClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(7),
      ...(props.portalOrigin
        ? {
            supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
            oAuth: {
              flows: { authorizationCodeGrant: true },
              scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
              callbackUrls: [`${props.portalOrigin}/auth/callback`],
              logoutUrls: [`${props.portalOrigin}/`],
            },
          }
        : {}),
    });
    describe(this.client, META.userPoolClient, 'cli');
    if (props.portalOrigin) {
      // The managed login's domain: a prefix of the account id, unique per account and region.
      this.loginDomain = this.userPool.addDomain('ManagedLogin', {
        cognitoDomain: { domainPrefix: `hilum-${Stack.of(this).account}` },
      });
    }
  }

  /** `AUTH_ISSUER`: the pool's token issuer. */
  get issuer(): string {
    return `https://cognito-idp.${this.userPool.stack.region}.amazonaws.com/${this.userPool.userPoolId}`;
  }

  get jwksUrl(): string {
    return `${this.issuer}/.well-known/jwks.json`;
  }
}
