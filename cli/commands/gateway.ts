import { mkdir, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Command, integerOption, stringOption, UsageError } from '../command';
import { connect } from '../lib/connection';
import { scanFiles } from '../lib/scan-files';
import { uploadFiles } from '../lib/resumable-upload';
import { Gateway } from '../gateway/gateway';
import { siteDeidSecret } from '../lib/deid-secret';
import { awaitVerdict, verdictLines } from '../lib/follow-submission';
import { loadUploadState } from '../lib/upload-state';
import { deidentifyForUpload, loadProfileFile } from '../lib/site-prepare';
import { appendJournal, verdictEntry } from '../gateway/journal';
import { locateSpool } from '../gateway/spool-location';
import { spoolStatus } from '../gateway/status';
import { gatewayStatus } from '../gateway/status-command';

const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;
const AE_TITLE = /^[\x20-\x5b\x5d-\x7e]{1,16}$/;

export const gatewayCommand: Command = {
  name: 'gateway',
  summary: 'receive studies from a PACS over DICOM (C-STORE) and upload them',
  usage: `Usage: hilum gateway --project P --site S [--secret-file FILE] [--profile FILE] [--no-deid-at-site]
                     [--ae-title HILUM] [--port 11112] [--allow AE ...] [--stow-port PORT] [--stow-host HOST]
                     [--spool DIR] [--quiet SECONDS] [--jobs N] [--api URL] [--token-file FILE]
       hilum gateway status [--spool DIR | --project P --site S] [--json]

A DICOM listener for a PACS or modality: accepts C-ECHO and C-STORE (CR, DX, CT,
MR), writes each instance durably to a local spool before answering success,
groups instances into studies, de-identifies a study here with the project's
profile and secret once no instance has arrived for --quiet seconds, and uploads
it as one submission: only de-identified bytes leave the site. Restart-safe:
spooled studies are uploaded after a restart, interrupted uploads resume.

  --secret-file FILE  the project's de-identification secret (default: HILUM_DEID_SECRET, else
                      fetched from the commons at start, for a contributing site)
  --profile FILE      the project's de-identification profile (default: the MIDRC profile)
  --no-deid-at-site   send the original instances and let the commons de-identify them

  --ae-title AE     the gateway's AE title (default HILUM)
  --port PORT       the port to listen on (default 11112)
  --allow AE        a calling AE title allowed to send (repeatable; default: any)
  --stow-port PORT  also take STOW-RS (POST /dicomweb/studies[/{study}]) on this HTTP port, any
                    size, into the same spool (default: off; docs/dicomweb.md)
  --stow-host HOST  the address it listens on (default 127.0.0.1; 0.0.0.0 for the site network:
                    no authentication, like C-STORE without --allow)
  --spool DIR       the spool folder (default: $XDG_STATE_HOME/hilum/gateway/P-S, by default
                    ~/.local/state/hilum/gateway/P-S; a ./.hilum-gateway an earlier version left
                    is moved there, or used where it is when it cannot be moved)
  --quiet SECONDS   quiet period that completes a study (default 60)
  --jobs N          parallel file uploads per study (default 4)
  --api URL, --token-file FILE   as for hilum upload (HILUM_API_URL, HILUM_TOKEN)

status: what the spool holds (studies receiving, uploading or failed with the last error) and
every submission sent, with the pipeline's verdict once it came (published; quarantined, with
each reason and its count). Read from the spool only, while the gateway runs or not; without
--spool, every gateway spool of this user (or the one of --project and --site); --json prints
one JSON document.`,
  options: {
    project: { type: 'string' },
    site: { type: 'string' },
    'ae-title': { type: 'string' },
    'stow-port': { type: 'string' },
    'stow-host': { type: 'string' },
    port: { type: 'string' },
    allow: { type: 'string', multiple: true },
    spool: { type: 'string' },
    quiet: { type: 'string' },
    jobs: { type: 'string' },
    api: { type: 'string' },
    'token-file': { type: 'string' },
    'secret-file': { type: 'string' },
    profile: { type: 'string' },
    'no-deid-at-site': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  allowPositionals: true,
  async run(args) {
    const [subcommand, ...extra] = args.positionals;
    if (subcommand === 'status' && extra.length === 0) return gatewayStatus(args);
    if (subcommand !== undefined) throw new UsageError(`unexpected '${args.positionals.join(' ')}' (the one subcommand is status)`);
    const project = stringOption(args, 'project');
    const site = stringOption(args, 'site');
    if (!project || !SLUG.test(project)) throw new UsageError('--project is required (lower-case letters, digits, dashes)');
    if (!site || !SLUG.test(site)) throw new UsageError('--site is required (lower-case letters, digits, dashes)');
    const aeTitle = stringOption(args, 'ae-title') ?? 'HILUM';
    const allowed = ((args.values.allow as string[] | undefined) ?? [])
      .flatMap((a) => a.split(','))
      .map((a) => a.trim())
      .filter(Boolean);
    for (const ae of [aeTitle, ...allowed])
      if (!AE_TITLE.test(ae)) throw new UsageError(`'${ae}' is not a valid AE title (1-16 characters, no backslash)`);
    const { api, apiUrl } = await connect({ api: stringOption(args, 'api'), tokenFile: stringOption(args, 'token-file') });
    const jobs = integerOption(args, 'jobs', 4);
    let deid: { secret: string; project: string; site: string; profile: ReturnType<typeof loadProfileFile> } | undefined;
    if (!args.values['no-deid-at-site']) {
      const { secret, from } = await siteDeidSecret(api, project, stringOption(args, 'secret-file'));
      console.log(`hilum gateway: de-identifying with the key from ${from}`);
      deid = { secret, project, site, profile: loadProfileFile(stringOption(args, 'profile')) };
    }

    const log = (line: string) => console.log(`hilum gateway: ${line}`);
    const { dir: spoolDir, note } = await locateSpool({ spool: stringOption(args, 'spool'), project, site });
    if (note) log(note);
    // The pipeline decides after the upload: its verdict is logged and journaled (for `gateway status`)
    // when it comes, while the gateway goes on receiving.
    const follow = (label: string, submissionId: string, uploaded: Readonly<Record<string, { readonly fileId: string }>>) =>
      void awaitVerdict(api, submissionId)
        .then(async (verdict) => {
          if (!verdict) return log(`${label}: submission ${submissionId} still in the pipeline after 30 minutes`);
          verdictLines(label, submissionId, verdict, uploaded).forEach(log);
          await appendJournal(spoolDir, verdictEntry(submissionId, verdict));
        })
        .catch((error: unknown) =>
          log(`${label}: cannot follow submission ${submissionId}: ${error instanceof Error ? error.message : String(error)}`),
        );
    const gateway = new Gateway({
      aeTitle,
      port: integerOption(args, 'port', 11112),
      spoolDir,
      allowedCallingAeTitles: allowed,
      quietSeconds: integerOption(args, 'quiet', 60),
      log,
      ...(stringOption(args, 'stow-port') !== undefined
        ? { stow: { port: integerOption(args, 'stow-port', 0), host: stringOption(args, 'stow-host') ?? '127.0.0.1' } }
        : {}),
      uploadStudy: async (folder) => {
        let files = await scanFiles(folder);
        if (deid) {
          // Deterministic: a restarted gateway makes the same copies again and resumes the upload.
          const prepared = await deidentifyForUpload(files, { ...deid, outDir: join(folder, '.deid') });
          // An instance the engine cannot de-identify was acknowledged: keep it for a person to look at.
          for (const held of prepared.held) {
            const target = join(spoolDir, 'held', `${basename(folder)}-${basename(held.relativePath)}`);
            await mkdir(dirname(target), { recursive: true });
            await rename(join(folder, held.relativePath), target);
            console.log(`hilum gateway: held back an instance in ${target}: ${held.reason}`);
          }
          files = prepared.files;
        }
        const statePath = join(folder, '.hilum-upload.json');
        const outcome = await uploadFiles({
          api,
          apiUrl,
          project,
          site,
          files,
          statePath,
          jobs,
          deidentifiedAtSite: deid !== undefined,
        });
        if (outcome.failed.length) throw new Error(`${outcome.failed.length} files failed to upload`);
        follow(`study ${basename(folder).slice(0, 12)}`, outcome.submissionId, (await loadUploadState(statePath))?.files ?? {});
        return { submissionId: outcome.submissionId };
      },
    });
    const { port, stowPort } = await gateway.start();
    // Submissions sent before a restart whose verdict had not come: followed again (their files by id).
    for (const sent of (await spoolStatus(spoolDir)).submissions.filter((s) => !s.verdict))
      follow(`study ${sent.study.slice(0, 12)}`, sent.submissionId, {});
    console.log(
      `hilum gateway: listening as ${aeTitle} on port ${port}${allowed.length ? ` for ${allowed.join(', ')}` : ''}; project ${project}, site ${site}; ${deid ? `de-identifying here (profile ${deid.profile.name})` : 'sending originals'}`,
    );
    if (stowPort !== undefined)
      console.log(`hilum gateway: STOW-RS on http://${stringOption(args, 'stow-host') ?? '127.0.0.1'}:${stowPort}/dicomweb/studies`);
    await new Promise<void>((resolveStop) => {
      const stop = () => void gateway.stop().then(resolveStop);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    console.log('hilum gateway: stopped');
    return 0;
  },
};
