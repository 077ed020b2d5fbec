import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandArgs, UsageError } from '../../../cli/command';
import { tokenCommand } from '../../../cli/commands/token';
import { ROLES } from '../../../layers/access/roles';

describe('hilum token --group', () => {
  let empty: string;
  beforeAll(async () => {
    empty = await mkdtemp(join(tmpdir(), 'hilum-token-'));
  });
  afterAll(async () => {
    await rm(empty, { recursive: true, force: true });
  });

  const runWith = (group: string) => tokenCommand.run(parseCommandArgs(tokenCommand, ['--group', group, '--data-dir', empty]));

  // A folder without a commons' key is refused after the groups are checked: reaching that refusal means the group passed.
  it.each(ROLES.filter((role) => role !== 'site-uploader'))('accepts every role the API knows: %s', async (role) => {
    await expect(runWith(role)).rejects.toThrow(/no local commons|key|data/i);
    await expect(runWith(role)).rejects.not.toBeInstanceOf(UsageError);
  });

  it('accepts a site uploader group and refuses an unknown group by name', async () => {
    await expect(runWith('site-uploader:site-a')).rejects.not.toBeInstanceOf(UsageError);
    await expect(runWith('superuser')).rejects.toThrow("unknown group 'superuser'");
  });
});
