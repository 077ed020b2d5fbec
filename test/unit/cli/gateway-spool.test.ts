/**
 * The gateway's spool: its default place in the user's state directory (an earlier version's
 * ./.hilum-gateway picked up, nothing acknowledged lost), and `hilum gateway status` read from it.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendJournal, verdictEntry } from '../../../cli/gateway/journal';
import { defaultSpoolDir, locateSpool } from '../../../cli/gateway/spool-location';
import { spoolStatus, statusLines } from '../../../cli/gateway/status';
import { saveUploadState } from '../../../cli/lib/upload-state';

const STUDY_A = 'a'.repeat(32);
const STUDY_B = 'b'.repeat(32);
const STUDY_C = 'c'.repeat(32);
const SUB_1 = '11111111-1111-4111-8111-111111111111';
const SUB_2 = '22222222-2222-4222-8222-222222222222';
const SUB_3 = '33333333-3333-4333-8333-333333333333';
const FILE_ID = '44444444-4444-4444-8444-444444444444';

describe('the gateway spool', () => {
  let root: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hilum-gateway-spool-'));
    env = { XDG_STATE_HOME: join(root, 'state'), HOME: join(root, 'home') };
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  describe('where it is', () => {
    it('defaults to the state directory, one spool per project and site, never the current folder', async () => {
      const cwd = join(root, 'work');
      await mkdir(cwd);
      expect(await locateSpool({ project: 'p1', site: 'site-a', cwd, env })).toEqual({
        dir: join(root, 'state', 'hilum', 'gateway', 'p1-site-a'),
      });
      expect(defaultSpoolDir('p1', 'site-b', env)).toBe(join(root, 'state', 'hilum', 'gateway', 'p1-site-b'));
      expect(await readdir(cwd)).toEqual([]);
    });

    it("moves an earlier version's ./.hilum-gateway there with every spooled instance, once", async () => {
      const cwd = join(root, 'work');
      const legacyStudy = join(cwd, '.hilum-gateway', 'studies', STUDY_A);
      await mkdir(legacyStudy, { recursive: true });
      await writeFile(join(legacyStudy, 'x.dcm'), 'acknowledged instance');

      const moved = await locateSpool({ project: 'p1', site: 'site-a', cwd, env });
      expect(moved.dir).toBe(defaultSpoolDir('p1', 'site-a', env));
      expect(moved.note).toContain('moved the spool');
      expect(await readFile(join(moved.dir, 'studies', STUDY_A, 'x.dcm'), 'utf8')).toBe('acknowledged instance');
      expect(await readdir(cwd)).toEqual([]);
      expect(await locateSpool({ project: 'p1', site: 'site-a', cwd, env })).toEqual({ dir: moved.dir });
    });

    it('names an old spool it cannot take over (the new one in use), and takes --spool as given', async () => {
      const cwd = join(root, 'work');
      await mkdir(join(cwd, '.hilum-gateway', 'studies'), { recursive: true });
      await mkdir(join(defaultSpoolDir('p1', 'site-a', env), 'studies'), { recursive: true });
      const both = await locateSpool({ project: 'p1', site: 'site-a', cwd, env });
      expect(both.dir).toBe(defaultSpoolDir('p1', 'site-a', env));
      expect(both.note).toContain(`--spool ${join(cwd, '.hilum-gateway')}`);
      expect(await locateSpool({ spool: join(root, 'mine'), project: 'p1', site: 'site-a', cwd, env })).toEqual({
        dir: join(root, 'mine'),
      });
    });
  });

  describe('status', () => {
    it('tells what is receiving, uploading or failed, and every submission sent with its verdict', async () => {
      const spool = join(root, 'spool');
      await mkdir(join(spool, 'studies', STUDY_A), { recursive: true });
      await writeFile(join(spool, 'studies', STUDY_A, '1.dcm'), 'x');
      await writeFile(join(spool, 'studies', STUDY_A, '2.dcm'), 'x');
      const batch = `${STUDY_B}-1765000000000`;
      await mkdir(join(spool, 'uploading', batch), { recursive: true });
      await writeFile(join(spool, 'uploading', batch, '1.dcm'), 'x');
      await saveUploadState(join(spool, 'uploading', batch, '.hilum-upload.json'), {
        version: 1,
        apiUrl: 'http://127.0.0.1:3000',
        project: 'p1',
        site: 'site-a',
        submissionId: SUB_3,
        sealed: false,
        files: { '1.dcm': { size: 1, fileId: FILE_ID, status: 'announced' } },
      });
      for (const error of ['the API cannot be reached', 'the API cannot be reached again'])
        await appendJournal(spool, { event: 'failed', at: '2026-12-06T10:00:00.000Z', study: STUDY_B, batch, instances: 1, error });
      await appendJournal(spool, { event: 'sent', at: '2026-12-06T09:00:00.000Z', study: STUDY_C, instances: 3, submissionId: SUB_1 });
      await appendJournal(spool, { event: 'sent', at: '2026-12-06T09:30:00.000Z', study: STUDY_A, instances: 2, submissionId: SUB_2 });
      await appendJournal(spool, { event: 'sent', at: '2026-12-06T09:31:00.000Z', study: STUDY_A, instances: 2, submissionId: SUB_2 });
      const quarantined = {
        fileId: FILE_ID,
        status: 'quarantined',
        reasonCode: 'VerificationFailed',
        reason: 'VerificationFailed: project-key',
      };
      await appendJournal(
        spool,
        verdictEntry(SUB_1, { status: 'published', stagedCount: 1, quarantinedCount: 2, files: [quarantined, quarantined] }),
      );
      await mkdir(join(spool, 'held'));
      await writeFile(join(spool, 'held', 'unreadable.dcm'), 'x');

      const status = await spoolStatus(spool);
      expect(status).toMatchObject({
        receiving: [{ study: STUDY_A, instances: 2 }],
        uploading: [
          {
            study: STUDY_B,
            instances: 1,
            submissionId: SUB_3,
            filesUploaded: 0,
            lastFailure: { attempts: 2, error: 'the API cannot be reached again' },
          },
        ],
        submissions: [
          {
            submissionId: SUB_1,
            study: STUDY_C,
            instances: 3,
            verdict: { staged: 1, quarantined: 2, reasons: { 'VerificationFailed: project-key': 2 } },
          },
          { submissionId: SUB_2, study: STUDY_A, instances: 2, sentAt: '2026-12-06T09:30:00.000Z' },
        ],
        held: 1,
      });
      expect(status.submissions[1]).not.toHaveProperty('verdict');
      const lines = statusLines(status);
      expect(lines).toContain(
        `  submission ${SUB_1} (study cccccccccccc, 3 instance(s), sent 2026-12-06T09:00:00.000Z): published with 2 of 3 quarantined:`,
      );
      expect(lines).toContain('    2 x VerificationFailed: project-key');
      expect(lines).toContain(
        `  submission ${SUB_2} (study aaaaaaaaaaaa, 2 instance(s), sent 2026-12-06T09:30:00.000Z): waiting for the pipeline's verdict`,
      );
      expect(lines.find((l) => l.includes('bbbbbbbbbbbb'))).toContain('failed 2 time(s)');
    });

    it('survives a journal line a crash cut short, and the next entry is whole', async () => {
      const spool = join(root, 'spool');
      await appendJournal(spool, { event: 'sent', at: '2026-12-06T09:00:00.000Z', study: STUDY_C, instances: 3, submissionId: SUB_1 });
      await writeFile(join(spool, 'journal.jsonl'), '\n{"event":"sent","at":"2026-', { flag: 'a' }); // an entry cut short
      await appendJournal(spool, { event: 'sent', at: '2026-12-06T09:10:00.000Z', study: STUDY_A, instances: 1, submissionId: SUB_2 });
      expect((await spoolStatus(spool)).submissions.map((s) => s.submissionId)).toEqual([SUB_1, SUB_2]);
    });
  });
});
