import { ROLES } from '../../layers/access/roles';
import { issueLocalToken } from '../../local/auth/local-issuer';
import { Command, integerOption, stringOption, UsageError } from '../command';
import { CliError, EXIT } from '../exit-codes';
import { findSigningDataDir } from '../lib/local-commons-pointer';

/** Every role the API knows (layers/access/roles.ts), the uploader's as one group per site. */
const ROLE_GROUPS = ROLES.filter((role) => role !== 'site-uploader');
const GROUP = new RegExp(`^(${ROLE_GROUPS.join('|')}|site-uploader:[a-z0-9][a-z0-9-]{1,62})$`);

export const tokenCommand: Command = {
  name: 'token',
  summary: 'print a bearer token for a role (local mode only)',
  usage: `Usage: hilum token --group GROUP [--group GROUP...] [--username NAME] [--ttl SECONDS] [--data-dir DIR]

Prints a JWT signed by the local commons' issuer, with the claims Cognito puts in
an ID token (cognito:groups, cognito:username). Local mode only: in AWS, users
sign in to the Cognito user pool.

  --group GROUP      ${ROLE_GROUPS.join(', ')} or site-uploader:<site> (repeatable)
  --username NAME    the token's user (default: local-<first group>)
  --ttl SECONDS      lifetime (default 43200, 12 hours)
  --data-dir DIR     the local commons' data folder (default: the one of the commons
                     'hilum start' runs, else ./.hilum). It must hold the key of a
                     commons that ran there: no new key is ever made here, since the
                     API would reject what it signs.

Example:
  export HILUM_TOKEN=$(npx hilum token --group researcher)`,
  options: {
    group: { type: 'string', multiple: true },
    username: { type: 'string' },
    ttl: { type: 'string' },
    'data-dir': { type: 'string' },
  },
  async run(args) {
    const groups = (args.values.group as string[] | undefined) ?? [];
    if (groups.length === 0) throw new UsageError('at least one --group is required');
    for (const group of groups) if (!GROUP.test(group)) throw new UsageError(`unknown group '${group}'`);
    const ttlSeconds = integerOption(args, 'ttl', 43_200);
    const found = await findSigningDataDir(stringOption(args, 'data-dir'));
    if ('refusal' in found) throw new CliError(`hilum token: ${found.refusal}`, EXIT.usage);
    const token = await issueLocalToken({
      dataDir: found.dataDir,
      groups,
      username: stringOption(args, 'username') ?? `local-${(groups[0] ?? 'user').replace(/[^a-z0-9-]/g, '-')}`,
      ttlSeconds,
    });
    console.log(token);
    return 0;
  },
};
