import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringOption, UsageError, type ParsedArgs } from '../command';
import { EXIT } from '../exit-codes';
import { defaultSpoolDir, gatewaysHome, LEGACY_SPOOL } from './spool-location';
import { spoolStatus, statusLines } from './status';

/**
 * `hilum gateway status`: what each spool holds (studies receiving, uploading or failed) and
 * every submission it sent with the pipeline's verdict, read from the spool alone (no token,
 * no API; safe while the gateway runs). Without --spool: the spool of --project/--site, else
 * every spool in the state directory and an earlier version's ./.hilum-gateway.
 */
export async function gatewayStatus(args: ParsedArgs): Promise<number> {
  const spools = await spoolsToShow(args);
  const statuses = await Promise.all(spools.map((dir) => spoolStatus(dir)));
  if (args.values.json === true) console.log(JSON.stringify({ spools: statuses }));
  else for (const [i, status] of statuses.entries()) for (const line of [...(i ? [''] : []), ...statusLines(status)]) console.log(line);
  return EXIT.ok;
}

async function spoolsToShow(args: ParsedArgs): Promise<string[]> {
  const spool = stringOption(args, 'spool');
  if (spool !== undefined) {
    if (!(await isDirectory(spool))) throw new UsageError(`no spool at ${resolve(spool)}`);
    return [resolve(spool)];
  }
  const project = stringOption(args, 'project');
  const site = stringOption(args, 'site');
  if ((project === undefined) !== (site === undefined)) throw new UsageError('give both --project and --site, or neither');
  if (project !== undefined && site !== undefined) {
    const dir = defaultSpoolDir(project, site);
    if (!(await isDirectory(dir))) throw new UsageError(`no gateway has run for project ${project}, site ${site} (no spool at ${dir})`);
    return [dir];
  }
  const home = gatewaysHome();
  const found = (await readdir(home).catch(() => [] as string[])).sort().map((name) => join(home, name));
  const legacy = resolve(LEGACY_SPOOL);
  if (await isDirectory(legacy)) found.push(legacy);
  if (found.length === 0) throw new UsageError(`no gateway spool in ${home} or ./${LEGACY_SPOOL}; pass --spool DIR`);
  return found;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
