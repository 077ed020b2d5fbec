import { open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command, integerOption, stringOption, UsageError } from '../command';
import { connect } from '../lib/connection';
import { formatBytes, ProgressBar } from '../lib/progress';
import { scanFiles, FoundFile } from '../lib/scan-files';
import { uploadFiles } from '../lib/uploader';

const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;

export const uploadCommand: Command = {
  name: 'upload',
  summary: 'upload a folder of DICOM files as one submission (resumable)',
  usage: `Usage: hilum upload FOLDER --project P --site S [--jobs N] [--state FILE] [--max-rate BYTES_PER_S] [--wait]

Scans FOLDER recursively, skips files that are not DICOM Part 10 (listing why),
creates a submission, uploads every file through presigned URLs (multipart for
large files), and seals the submission. Progress is saved in a state file after
every file: run the same command again after an interruption and it resumes,
uploading nothing twice.

  --project P          the project the studies belong to
  --site S             your site (your token must hold site-uploader:S)
  --jobs N             files uploaded in parallel (default 4)
  --state FILE         the state file (default FOLDER/.hilum-upload.json)
  --max-rate N         cap the upload rate at N bytes per second
  --wait               wait for the pipeline and print the outcome of every file
                       (exit code 3 when any file was quarantined)
  --api URL            the hilum API (default HILUM_API_URL or ${'http://127.0.0.1:3000'})
  --token-file FILE    a file holding the bearer token (default: HILUM_TOKEN)`,
  allowPositionals: true,
  options: {
    project: { type: 'string' },
    site: { type: 'string' },
    jobs: { type: 'string' },
    state: { type: 'string' },
    'max-rate': { type: 'string' },
    wait: { type: 'boolean' },
    api: { type: 'string' },
    'token-file': { type: 'string' },
  },
  async run(args) {
    const [folder, ...extra] = args.positionals;
    if (!folder || extra.length) throw new UsageError('give exactly one FOLDER');
    const project = stringOption(args, 'project');
    const site = stringOption(args, 'site');
    if (!project || !SLUG.test(project)) throw new UsageError('--project is required (lower-case letters, digits, dashes)');
    if (!site || !SLUG.test(site)) throw new UsageError('--site is required (lower-case letters, digits, dashes)');
    const root = resolve(folder);
    const { api, apiUrl } = await connect({ api: stringOption(args, 'api'), tokenFile: stringOption(args, 'token-file') });

    const found = await scanFiles(root);
    const dicom: FoundFile[] = [];
    const skipped: { relativePath: string; reason: string }[] = [];
    for (const file of found) {
      const reason = await notDicomReason(file);
      if (reason) skipped.push({ relativePath: file.relativePath, reason });
      else dicom.push(file);
    }
    for (const s of skipped) console.error(`skipped ${s.relativePath}: ${s.reason}`);
    if (dicom.length === 0) {
      console.error(`hilum upload: no DICOM files in ${root}`);
      return 1;
    }

    const totalBytes = dicom.reduce((sum, f) => sum + f.size, 0);
    const progress = new ProgressBar({ label: 'upload', totalItems: dicom.length, totalBytes });
    const started = Date.now();
    const outcome = await uploadFiles({
      api, apiUrl, project, site, files: dicom,
      statePath: resolve(stringOption(args, 'state') ?? join(root, '.hilum-upload.json')),
      jobs: integerOption(args, 'jobs', 4),
      maxBytesPerSecond: integerOption(args, 'max-rate', 0) || undefined,
      onFileDone: (file) => progress.tick(1, file.size),
    });
    progress.done();
    const seconds = (Date.now() - started) / 1000;
    console.log(`submission ${outcome.submissionId}: ${outcome.uploaded} uploaded, ${outcome.resumed} already there, ${outcome.failed.length} failed, ${skipped.length} skipped (not DICOM); ${formatBytes(totalBytes)} in ${seconds.toFixed(1)} s${outcome.sealed ? '; sealed' : ''}`);
    for (const f of outcome.failed) console.error(`failed ${f.relativePath}: ${f.reason}`);
    if (outcome.failed.length) {
      console.error('hilum upload: run the same command again to retry the failed files');
      return 1;
    }
    if (args.values.wait) return waitForPipeline(api, outcome.submissionId);
    return 0;
  },
};

async function notDicomReason(file: FoundFile): Promise<string | undefined> {
  if (file.size < 132) return 'not a DICOM Part 10 file (too short)';
  const handle = await open(file.path, 'r');
  try {
    const prefix = Buffer.alloc(4);
    await handle.read(prefix, 0, 4, 128);
    return prefix.toString('latin1') === 'DICM' ? undefined : 'not a DICOM Part 10 file (no DICM prefix)';
  } finally {
    await handle.close();
  }
}

async function waitForPipeline(api: Awaited<ReturnType<typeof connect>>['api'], submissionId: string): Promise<number> {
  const deadline = Date.now() + 30 * 60 * 1000;
  for (;;) {
    const submission = await api.getSubmission(submissionId);
    if (submission.status === 'published') {
      console.log(`published: ${submission.stagedCount} files staged, ${submission.quarantinedCount} quarantined`);
      for (const f of submission.files.filter((x) => x.status === 'quarantined')) console.log(`  quarantined ${f.fileId}: ${f.reasonCode} ${f.reason ?? ''}`);
      return submission.quarantinedCount ? 3 : 0;
    }
    if (Date.now() > deadline) {
      console.error(`hilum upload: the submission is still ${submission.status} after 30 minutes`);
      return 1;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}
