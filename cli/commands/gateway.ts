import { resolve } from 'node:path';
import { join } from 'node:path';
import { Command, integerOption, stringOption, UsageError } from '../command';
import { connect } from '../lib/connection';
import { scanFiles } from '../lib/scan-files';
import { uploadFiles } from '../lib/uploader';
import { Gateway } from '../gateway/gateway';

const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;
const AE_TITLE = /^[\x20-\x5b\x5d-\x7e]{1,16}$/;

export const gatewayCommand: Command = {
  name: 'gateway',
  summary: 'receive studies from a PACS over DICOM (C-STORE) and upload them',
  usage: `Usage: hilum gateway --project P --site S [--ae-title HILUM] [--port 11112] [--allow AE ...]
                     [--spool DIR] [--quiet SECONDS] [--jobs N] [--api URL] [--token-file FILE]

A DICOM listener for a PACS or modality: accepts C-ECHO and C-STORE (CR, DX, CT,
MR), writes each instance durably to a local spool before answering success,
groups instances into studies, and uploads a study as one submission once no
instance has arrived for --quiet seconds. Restart-safe: spooled studies are
uploaded after a restart, interrupted uploads resume.

  --ae-title AE     the gateway's AE title (default HILUM)
  --port PORT       the port to listen on (default 11112)
  --allow AE        a calling AE title allowed to send (repeatable; default: any)
  --spool DIR       the spool folder (default .hilum-gateway)
  --quiet SECONDS   quiet period that completes a study (default 60)
  --jobs N          parallel file uploads per study (default 4)
  --api URL, --token-file FILE   as for hilum upload (HILUM_API_URL, HILUM_TOKEN)`,
  options: {
    project: { type: 'string' },
    site: { type: 'string' },
    'ae-title': { type: 'string' },
    port: { type: 'string' },
    allow: { type: 'string', multiple: true },
    spool: { type: 'string' },
    quiet: { type: 'string' },
    jobs: { type: 'string' },
    api: { type: 'string' },
    'token-file': { type: 'string' },
  },
  async run(args) {
    const project = stringOption(args, 'project');
    const site = stringOption(args, 'site');
    if (!project || !SLUG.test(project)) throw new UsageError('--project is required (lower-case letters, digits, dashes)');
    if (!site || !SLUG.test(site)) throw new UsageError('--site is required (lower-case letters, digits, dashes)');
    const aeTitle = stringOption(args, 'ae-title') ?? 'HILUM';
    const allowed = ((args.values.allow as string[] | undefined) ?? []).flatMap((a) => a.split(',')).map((a) => a.trim()).filter(Boolean);
    for (const ae of [aeTitle, ...allowed]) if (!AE_TITLE.test(ae)) throw new UsageError(`'${ae}' is not a valid AE title (1-16 characters, no backslash)`);
    const { api, apiUrl } = await connect({ api: stringOption(args, 'api'), tokenFile: stringOption(args, 'token-file') });
    const jobs = integerOption(args, 'jobs', 4);

    const gateway = new Gateway({
      aeTitle,
      port: integerOption(args, 'port', 11112),
      spoolDir: resolve(stringOption(args, 'spool') ?? '.hilum-gateway'),
      allowedCallingAeTitles: allowed,
      quietSeconds: integerOption(args, 'quiet', 60),
      log: (line) => console.log(`hilum gateway: ${line}`),
      uploadStudy: async (folder) => {
        const files = await scanFiles(folder);
        const outcome = await uploadFiles({ api, apiUrl, project, site, files, statePath: join(folder, '.hilum-upload.json'), jobs });
        if (outcome.failed.length) throw new Error(`${outcome.failed.length} files failed to upload`);
        return { submissionId: outcome.submissionId };
      },
    });
    const { port } = await gateway.start();
    console.log(`hilum gateway: listening as ${aeTitle} on port ${port}${allowed.length ? ` for ${allowed.join(', ')}` : ''}; project ${project}, site ${site}`);
    await new Promise<void>((resolveStop) => {
      const stop = () => void gateway.stop().then(resolveStop);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    console.log('hilum gateway: stopped');
    return 0;
  },
};
