/**
 * The portal's browser test harness: one local commons serving the built portal, with
 * sample data, and Debian's Chromium driven by playwright-core.
 *
 *   const portal = await startPortal();            // builds web/ if stale (once, even across jest workers)
 *   const page = await portal.signIn('researcher'); // a fresh browser context, signed in through the role picker
 *   await page.goto(portal.url('/explore'));
 *   expect(await portal.axe(page)).toEqual([]);    // serious or critical axe-core violations only
 *   await portal.stop();
 *
 * Sample data (`PORTAL_SAMPLE`): an open project with studies of two sites (CT and DX, both
 * sexes, several ages and manufacturers) and a restricted project, published and in release 1.
 * `portal.api(groups)` is a HilumApi for arranging more.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { HilumApi } from '../../cli/lib/api-client';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import { distDirOf, ensurePortalBuilt } from '../../local/portal/build';
import { createProject, submitFiles } from './projects';
import { makeDicom } from './synthetic-dicom';

export const PORTAL_SAMPLE = {
  openProject: 'portal-open',
  restrictedProject: 'portal-restricted',
  sites: ['site-a', 'site-b'],
  /** Published studies: open project, restricted project. */
  studies: { open: 6, restricted: 2 },
} as const;

export interface AxeViolation {
  readonly id: string;
  readonly impact: string;
  readonly help: string;
  readonly nodes: number;
}

export interface PortalHarness {
  readonly commons: LocalCommons;
  readonly browser: Browser;
  /** An address of the portal (a path with its query). */
  url(path?: string): string;
  /** A HilumApi signed in with these groups (arranging data, checking results). */
  api(groups: readonly string[], username?: string): Promise<HilumApi>;
  /** A new browser context and page, signed in through the role picker as `group` (`site-uploader:site-a`...). */
  signIn(group: string, options?: { username?: string; next?: string }): Promise<Page>;
  /** axe-core on the page as it is: the serious and critical violations. */
  axe(page: Page): Promise<AxeViolation[]>;
  stop(): Promise<void>;
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const ROOT = '1.2.826.0.1.3680043.8.498.7171';

export async function startPortal(options: { sample?: boolean } = {}): Promise<PortalHarness> {
  await ensurePortalBuilt();
  const dataDir = await mkdtemp(join(tmpdir(), 'hilum-portal-'));
  const commons = await startLocalCommons({
    dataDir,
    reset: true,
    ports: { api: 0 },
    handlerLogLevel: 'SILENT',
    portal: { distDir: distDirOf() },
  });
  // playwright-core gives every launch a fresh temporary profile (it refuses --user-data-dir in args).
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS }).catch(async (error: unknown) => {
    await commons.stop();
    throw error;
  });
  const api = async (groups: readonly string[], username?: string) =>
    new HilumApi(commons.apiUrl, await commons.issueToken(groups, username));
  if (options.sample !== false) await loadSample(commons, api);

  const url = (path = '/') => `${commons.apiUrl}${path}`;
  return {
    commons,
    browser,
    url,
    api,
    async signIn(group, signInOptions = {}) {
      const context = await browser.newContext({ acceptDownloads: true, bypassCSP: true, viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      // The printed address carries the sign-in key in its fragment, which the portal keeps from any
      // page: the sign-in page with it is one page load instead of two.
      const key = new URL(commons.portalUrl!).hash;
      await page.goto(`${url(`/sign-in?next=${encodeURIComponent(signInOptions.next ?? '/')}`)}${key}`);
      const [role, site] = group.split(':') as [string, string | undefined];
      await page.getByRole('radio', { name: new RegExp(`^${role === 'dac' ? 'Data access' : role.replace('-', ' ')}`, 'i') }).check();
      if (site) await page.getByLabel('Site').fill(site);
      if (signInOptions.username) await page.getByLabel(/User name/).fill(signInOptions.username);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
      return page;
    },
    async axe(page) {
      await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
      return page.evaluate(async () => {
        const axe = (
          globalThis as unknown as {
            axe: { run(): Promise<{ violations: { id: string; impact?: string; help: string; nodes: unknown[] }[] }> };
          }
        ).axe;
        const result = await axe.run();
        return result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => ({ id: v.id, impact: v.impact ?? '', help: v.help, nodes: v.nodes.length }));
      });
    },
    async stop() {
      await browser.close().catch(() => undefined);
      await commons.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function loadSample(commons: LocalCommons, api: PortalHarness['api']): Promise<void> {
  const curatorToken = await commons.issueToken(['curator'], 'portal-curator');
  await createProject(commons.apiUrl, curatorToken, PORTAL_SAMPLE.openProject, PORTAL_SAMPLE.sites, 'open');
  await createProject(commons.apiUrl, curatorToken, PORTAL_SAMPLE.restrictedProject, ['site-a'], 'restricted');
  const patients = [
    { id: 'P1', modality: 'CT', sex: 'F', age: '045Y', maker: 'GE', site: 'site-a' },
    { id: 'P2', modality: 'CT', sex: 'M', age: '067Y', maker: 'Siemens', site: 'site-a' },
    { id: 'P3', modality: 'DX', sex: 'F', age: '052Y', maker: 'Philips', site: 'site-a' },
    { id: 'P4', modality: 'DX', sex: 'M', age: '030Y', maker: 'GE', site: 'site-b' },
    { id: 'P5', modality: 'CT', sex: 'F', age: '078Y', maker: 'Siemens', site: 'site-b' },
    { id: 'P6', modality: 'DX', sex: 'F', age: '022Y', maker: 'Philips', site: 'site-b' },
  ] as const;
  const restricted = [
    { id: 'R1', modality: 'CT', sex: 'M', age: '058Y', maker: 'GE', site: 'site-a' },
    { id: 'R2', modality: 'DX', sex: 'F', age: '041Y', maker: 'GE', site: 'site-a' },
  ] as const;
  let n = 0;
  const filesOf = (p: (typeof patients)[number] | (typeof restricted)[number]) => {
    n += 1;
    const study = `${ROOT}.${n}`;
    const files: Record<string, Uint8Array> = {};
    for (let i = 1; i <= 2; i++)
      files[`${p.id}-${i}.dcm`] = makeDicom({
        modality: p.modality,
        studyInstanceUid: study,
        seriesInstanceUid: `${study}.1`,
        instanceNumber: i,
        patient: { id: p.id, sex: p.sex, age: p.age },
        elements: {
          '00080070': { vr: 'LO', Value: [p.maker] },
          '00081030': { vr: 'LO', Value: [p.modality === 'CT' ? 'CT CHEST' : 'CHEST PA'] },
          ...(p.modality === 'CT' ? { '00180050': { vr: 'DS', Value: [1.25] } } : { '00185101': { vr: 'CS', Value: ['PA'] } }),
        },
      });
    return files;
  };
  for (const site of PORTAL_SAMPLE.sites) {
    const uploader = await api([`site-uploader:${site}`], `portal-${site}`);
    const open = Object.assign({}, ...patients.filter((p) => p.site === site).map(filesOf)) as Record<string, Uint8Array>;
    await submitFiles(uploader, PORTAL_SAMPLE.openProject, site, open);
    if (site === 'site-a') {
      const closed = Object.assign({}, ...restricted.map(filesOf)) as Record<string, Uint8Array>;
      await submitFiles(uploader, PORTAL_SAMPLE.restrictedProject, site, closed);
    }
  }
  await commons.idle();
  await new HilumApi(commons.apiUrl, curatorToken).request('POST', '/releases', { name: 'Portal sample' });
  await commons.idle();
}
