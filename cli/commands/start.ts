import { relative, resolve } from 'node:path';
import { startLocalCommons } from '../../local/commons';
import { credentialsFile, LOCAL_PROFILE } from '../../local/credentials';
import { DEFAULT_FUNCTION_WORKERS } from '../../local/function-workers';
import { portIsFree } from '../../local/ports';
import { HilumApi } from '../lib/api-client';
import { uploadSubmission } from '../lib/one-pass-upload';
import { Command, integerOption, stringOption } from '../command';
import { CliError, EXIT } from '../exit-codes';
import { clearRunningCommons, writeRunningCommons } from '../lib/local-commons-pointer';
import { distDirOf, ensurePortalBuilt } from '../../local/portal/build';
import { SAMPLE_MODALITIES, SAMPLE_PROJECT, SAMPLE_SITES, sampleSubmissions } from '../lib/sample-data';

const SAMPLES_DIR = resolve(__dirname, '../../samples');

export const startCommand: Command = {
  name: 'start',
  summary: 'run the local commons (emulators, workflows, API) with sample data',
  usage: `Usage: hilum start [--reset] [--data-dir DIR] [--port PORT] [--no-sample] [--no-portal]

Starts the whole commons on this machine: an S3 emulator, DynamoDB Local, the
CDK-synthesized workflows run by a local Step Functions runner with the real
Lambda handlers, and the REST API on localhost. Ctrl-C stops everything.

  --reset          wipe the data folder first
  --data-dir DIR   where data persists between runs (default .hilum)
  --port PORT      the API port (default 3000; 0 picks a free port)
  --no-sample      do not ingest the bundled sample studies (samples/)
  --no-portal      do not build or serve the web portal (web/) at the API's address
  --function-workers N
                   worker threads the Lambda handlers run in (default ${DEFAULT_FUNCTION_WORKERS}; 0 runs
                   them on the thread that serves the emulators and the API)
  --verbose        print the handlers' INFO logs (default: warnings and errors)`,
  options: {
    reset: { type: 'boolean' },
    'data-dir': { type: 'string' },
    port: { type: 'string' },
    'no-sample': { type: 'boolean' },
    'no-portal': { type: 'boolean' },
    'function-workers': { type: 'string' },
    verbose: { type: 'boolean' },
  },
  async run(args) {
    const dataDir = resolve(stringOption(args, 'data-dir') ?? '.hilum');
    const apiPort = integerOption(args, 'port', 3000);
    const functionWorkers = integerOption(args, 'function-workers', DEFAULT_FUNCTION_WORKERS);
    // Checked first: the emulators take half a minute to start before the API would find out.
    if (apiPort !== 0 && !(await portIsFree(apiPort))) throw busyPort(Object.assign(new Error(), { code: 'EADDRINUSE', port: apiPort }));
    const portal = args.values['no-portal'] !== true;
    if (portal) {
      // Vite builds web/ into web/dist when it is missing or older than web/src (a few seconds).
      const build = await ensurePortalBuilt();
      if (build.built) console.log(`hilum: built the portal (web/dist) in ${(build.ms / 1000).toFixed(1)} s`);
    }
    console.log(`hilum: starting the local commons in ${dataDir}${args.values.reset ? ' (reset)' : ''}...`);
    const commons = await startLocalCommons({
      dataDir,
      reset: args.values.reset === true,
      ports: { api: apiPort },
      functionWorkers,
      ...(portal ? { portal: { distDir: distDirOf() } } : {}),
      log: (line: string) => console.log(`  ${line}`),
      // Locally every handler shares one process and one logger, so concurrent
      // invocations interleave their INFO lines; warnings and errors stay on.
      handlerLogLevel: args.values.verbose ? 'INFO' : 'WARN',
    }).catch((error: unknown) => {
      throw busyPort(error) ?? error;
    });
    await writeRunningCommons({ dataDir: commons.dataDir, apiUrl: commons.apiUrl, pid: process.pid });
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      console.log('\nhilum: stopping...');
      await clearRunningCommons(process.pid);
      await commons.stop();
      console.log('hilum: stopped');
      process.exit(0);
    };
    process.on('SIGINT', () => void stop());
    process.on('SIGTERM', () => void stop());

    const curator = new HilumApi(commons.apiUrl, await commons.issueToken(['curator'], 'local-curator'));
    if (!args.values['no-sample']) {
      const { studies } = await curator.listStudies();
      if (studies.length === 0) {
        // As in a real commons, a curator creates the project (and so its de-identification
        // key) and lists the sites that contribute to it before a site submits to it.
        await curator.request('POST', '/projects', {
          projectId: SAMPLE_PROJECT,
          name: 'Demo (sample studies)',
          availability: 'open',
          sites: [...SAMPLE_SITES],
        });
        // The demo project takes MR too (the default scope is radiographs and CT): a project's own QA configuration.
        await curator.request('PUT', `/projects/${SAMPLE_PROJECT}/qa-config`, { modalities: [...SAMPLE_MODALITIES] });
        // Every sample folder, all submitted before waiting once: the pipeline runs them side by side.
        const submitted: { folder: string; site: HilumApi; submissionId: string }[] = [];
        for (const sample of await sampleSubmissions(SAMPLES_DIR)) {
          console.log(
            `hilum: ingesting the sample ${relative(process.cwd(), resolve(SAMPLES_DIR, sample.folder))} as site ${sample.site}...`,
          );
          const site = new HilumApi(commons.apiUrl, await commons.issueToken([`site-uploader:${sample.site}`], `local-${sample.site}`));
          const { submissionId } = await uploadSubmission(site, { project: SAMPLE_PROJECT, site: sample.site, files: sample.files });
          submitted.push({ folder: sample.folder, site, submissionId });
        }
        await commons.idle();
        for (const { folder, site, submissionId } of submitted) {
          const submission = await site.getSubmission(submissionId);
          console.log(
            `hilum: ${folder}: submission ${submissionId} is ${submission.status}: ${submission.stagedCount} staged, ${submission.quarantinedCount} quarantined`,
          );
        }
        // A first release, so Explore's "studies by release" and a cohort's pinned release show something.
        await curator.request('POST', '/releases', { name: 'Sample release' });
        await commons.idle();
      }
    }
    const { studies } = await curator.listStudies();
    console.log(`
hilum local commons is running.

  API        ${commons.apiUrl}
${commons.portalUrl ? `  Portal     ${commons.portalUrl}   (open this address: it carries this run's sign-in key)\n` : ''}  S3         ${commons.s3Endpoint} (buckets: ${Object.values(commons.buckets).join(', ')})
  DynamoDB   ${commons.dynamodbEndpoint} (table ${commons.tableName})
  data       ${commons.dataDir}
  AWS key    ${credentialsFile(commons.dataDir)} (profile ${LOCAL_PROFILE}; every emulator checks SigV4, see docs/local-mode.md)

Published studies: ${studies.length}
${studies.map((s) => `  ${s.studyUid}  ${s.modalities.join('/')}  ${s.seriesCount} series, ${s.instanceCount} instances  (${s.project}, ${s.site})`).join('\n')}

Get a token and try it:
  export HILUM_TOKEN=$(npx hilum token --group researcher)   # from any folder, while this runs
  curl -s -H "Authorization: Bearer $HILUM_TOKEN" '${commons.apiUrl}/studies?modality=CT'

Other roles: --group curator, --group site-uploader:<site>. Ctrl-C stops.`);
    await new Promise<never>(() => undefined);
    return 0;
  },
};

/** A port someone else listens on, named with the way out (the emulators' ports come from the data folder's ports.json). */
function busyPort(error: unknown): CliError | undefined {
  const failure = error as NodeJS.ErrnoException & { port?: number };
  if (failure?.code !== 'EADDRINUSE') return undefined;
  const port = failure.port ?? /:(\d+)\s*$/.exec(failure.message)?.[1] ?? 'asked for';
  return new CliError(
    `hilum start: port ${port} of 127.0.0.1 is busy (another 'hilum start' or another program listens on it). Stop that, or choose another port: --port N (--port 0 picks a free one)`,
    EXIT.unreachable,
  );
}
