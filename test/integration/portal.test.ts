/**
 * The portal in Debian's Chromium against the local commons (test/support/portal.ts): Explore
 * (facet clicks change the counts, the charts and the URL; back undoes; keyboard only), a cohort
 * saved and its manifest downloaded, an access request approved by the DAC that then lets the
 * researcher download the restricted studies, the admin's audit filter and CSV export, the
 * expired-session and missing-role paths, axe-core on every page, and the AWS build without the
 * local role picker.
 */
import { readFile, readdir } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROUTES } from '../../functions/registry';
import { distDirOf, ensurePortalBuilt } from '../../local/portal/build';
import { PORTAL_SAMPLE, startPortal, type PortalHarness } from '../support/portal';

jest.setTimeout(240_000);

const barCount = (page: Page, chart: string, value: string) =>
  page.locator(`svg[data-chart="${chart}"] rect[data-value="${value}"]`).getAttribute('data-count');

describe('the portal, in a browser, against the local commons', () => {
  let portal: PortalHarness;
  const timings: number[] = [];
  beforeAll(async () => {
    portal = await startPortal();
  });
  afterAll(async () => {
    if (timings.length) console.log(`portal: facet click to counts and charts drawn, ms: ${timings.map((t) => t.toFixed(0)).join(', ')}`);
    await portal?.stop();
  });

  it('Explore: a facet click changes the counts, the charts and the URL; back undoes it; cohort saved; manifest downloaded', async () => {
    const page = await portal.signIn('researcher', { username: 'portal-researcher', next: '/explore' });
    await page.waitForURL(/\/explore$/);
    const open = PORTAL_SAMPLE.studies.open;
    await page.getByText(`${open} studies match`).waitFor();
    expect(await barCount(page, 'Studies by site', 'site-a')).toBe('3');
    expect(await portal.axe(page)).toEqual([]);

    await page.getByRole('checkbox', { name: /^CT \(3\)$/ }).check();
    await page.waitForURL(/\/explore\?modality=CT$/);
    await page.getByText('3 studies match').waitFor();
    expect(await barCount(page, 'Studies by site', 'site-a')).toBe('2');
    expect(await barCount(page, 'Studies by site', 'site-b')).toBe('1');
    // Counted without its own filter, as the API does: DX still shows what it would add.
    await page.getByRole('checkbox', { name: /^DX \(3\)$/ }).waitFor();
    timings.push(...(await page.evaluate(() => (globalThis as { hilumExploreTimings?: number[] }).hilumExploreTimings ?? [])));

    await page.goBack();
    await page.waitForURL(/\/explore$/);
    await page.getByText(`${open} studies match`).waitFor();
    expect(await page.getByRole('checkbox', { name: /^CT/ }).isChecked()).toBe(false);
    await page.goForward();
    await page.getByText('3 studies match').waitFor();

    await page.getByLabel('Cohort name').fill('CT of the portal test');
    await page.getByRole('button', { name: 'Save as cohort' }).click();
    await page.waitForURL(/\/cohorts\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Cohort: CT of the portal test' }).waitFor();
    expect(await page.getByLabel('hilum download command').innerText()).toMatch(
      /^npx hilum download cohort-[0-9a-f-]{36}\.json --out cohort-/,
    );
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download manifest (JSON)' }).click(),
    ]);
    const manifest = JSON.parse(await readFile((await download.path())!, 'utf8')) as { objects: { objectId: string }[] };
    expect(manifest.objects).toHaveLength(6); // three CT studies of two instances
    await page.getByRole('table', { name: "DRS ids of the cohort's objects" }).waitFor();
    expect(await portal.axe(page)).toEqual([]);
    await page.context().close();
  });

  it('Explore works from the keyboard alone: tab to a facet, space to choose it, enter to apply a range', async () => {
    const page = await portal.signIn('researcher', { username: 'portal-keyboard', next: '/explore' });
    await page.getByText(`${PORTAL_SAMPLE.studies.open} studies match`).waitFor();
    const dx = page.getByRole('checkbox', { name: /^DX/ });
    for (let i = 0; i < 80 && !(await dx.evaluate((el) => el === el.ownerDocument.activeElement)); i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await page.waitForURL(/modality=DX/);
    await page.getByText('3 studies match').waitFor();
    await page.getByRole('group', { name: 'Age (years)' }).getByLabel('from').focus();
    await page.keyboard.type('40');
    await page.keyboard.press('Enter');
    await page.waitForURL(/ageMin=40/);
    await page.getByText('1 study matches').waitFor();
    await page.context().close();
  });

  it('an access request approved by the DAC lets the researcher see and download the restricted studies; the admin finds it in the audit log', async () => {
    const researcher = await portal.signIn('researcher', { username: 'portal-requester', next: '/access' });
    await researcher.getByLabel('Access to').selectOption(`project:${PORTAL_SAMPLE.restrictedProject}`);
    await researcher.getByLabel('Research purpose').fill('Training a chest CT triage model on restricted studies.');
    await researcher.getByLabel(/I accept the data use agreement/).check();
    await researcher.getByRole('button', { name: 'Send the request' }).click();
    await researcher.getByText('Request sent').waitFor();
    await researcher.getByRole('cell', { name: 'pending' }).waitFor();
    expect(await portal.axe(researcher)).toEqual([]);

    const dac = await portal.signIn('dac', { username: 'portal-dac', next: '/dac' });
    await dac.getByText('Training a chest CT triage model').waitFor();
    expect(await portal.axe(dac)).toEqual([]);
    await dac.getByLabel('Reason (request of portal-requester)').fill('Purpose fits the project terms.');
    await dac.getByLabel('Grant for (days)').fill('30');
    await dac.getByRole('button', { name: 'Approve', exact: true }).click();
    await dac.getByText('Approved: the request of portal-requester.').waitFor();
    await dac.context().close();

    await researcher.reload();
    await researcher.getByRole('cell', { name: /in (29|30) days/ }).waitFor();
    await researcher.goto(portal.url(`/explore?project=${PORTAL_SAMPLE.restrictedProject}`));
    await researcher.getByText(`${PORTAL_SAMPLE.studies.restricted} studies match`).waitFor();
    await researcher.getByLabel('Cohort name').fill('Restricted after approval');
    await researcher.getByRole('button', { name: 'Save as cohort' }).click();
    await researcher.waitForURL(/\/cohorts\//);
    const [download] = await Promise.all([
      researcher.waitForEvent('download'),
      researcher.getByRole('button', { name: 'Download manifest (JSON)' }).click(),
    ]);
    const manifest = JSON.parse(await readFile((await download.path())!, 'utf8')) as { objects: unknown[] };
    expect(manifest.objects).toHaveLength(4);
    await researcher.context().close();

    const admin = await portal.signIn('admin', { username: 'portal-admin', next: '/admin/audit' });
    await admin.getByLabel('Action').fill('access-request.approve');
    await admin.getByRole('button', { name: 'Filter' }).click();
    await admin.waitForURL(/action=access-request.approve/);
    // The unfiltered page stays until the filtered answer replaces it: one event, the DAC's approval.
    await admin.waitForFunction("document.querySelectorAll('table tbody tr').length === 1");
    expect(await admin.getByRole('cell', { name: 'access-request.approve' }).count()).toBe(1);
    expect(await admin.getByRole('cell', { name: 'portal-dac' }).count()).toBe(1);
    expect(await portal.axe(admin)).toEqual([]);
    const [csv] = await Promise.all([admin.waitForEvent('download'), admin.getByRole('button', { name: /Export CSV/ }).click()]);
    const lines = (await readFile((await csv.path())!, 'utf8')).trim().split('\r\n');
    expect(lines[0]).toBe('at,actor,actorName,action,targetType,targetId,reason');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('access-request.approve');
    await admin.context().close();
  });

  it('an expired session goes to sign-in and back to the same page; a missing role is said in words', async () => {
    const page = await portal.signIn('researcher', { username: 'portal-expired', next: '/' });
    // A token the portal still reads as live but the API refuses (its signature is broken).
    await page.evaluate(() => {
      const stored = JSON.parse(sessionStorage.getItem('hilum.session')!) as { idToken: string };
      sessionStorage.setItem('hilum.session', JSON.stringify({ idToken: `${stored.idToken.slice(0, -4)}AAAA` }));
    });
    await page.goto(portal.url('/explore?modality=DX'));
    await page.waitForURL(/\/sign-in\?next=%2Fexplore%3Fmodality%3DDX$/);
    await page.getByText('Sign in to continue to the page you were on.').waitFor();
    await page.getByRole('radio', { name: /^Researcher/ }).check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/explore\?modality=DX$/);
    await page.getByText('3 studies match').waitFor();

    await page.goto(portal.url('/admin/audit'));
    await page.getByRole('heading', { name: 'Not available to your roles' }).waitFor();
    expect(await page.getByRole('alert').innerText()).toMatch(/for: admin.*Ask an administrator/s);
    expect(await portal.axe(page)).toEqual([]);
    await page.context().close();
  });

  it('the local sign-in exists only locally: no such API route, refused without the printed key, absent from the AWS build', async () => {
    expect(ROUTES.filter((r) => r.path.startsWith('/local'))).toEqual([]);
    const refused = await fetch(portal.url('/local/token'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hilum-local-key': 'guessed' },
      body: JSON.stringify({ groups: ['admin'] }),
    });
    expect(refused.status).toBe(403);
    // DNS rebinding: the right key, but from a page of another name resolved to 127.0.0.1.
    const rebound = await new Promise<number>((resolve, reject) => {
      const body = JSON.stringify({ groups: ['admin'] });
      const req = request(portal.url('/local/token'), {
        method: 'POST',
        headers: { host: 'evil.example', 'content-type': 'application/json', 'x-hilum-local-key': portal.commons.portalSignInKey! },
      });
      req.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject);
      req.end(body);
    });
    expect(rebound).toBe(403);
    const key = await fetch(portal.url('/local/token'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hilum-local-key': portal.commons.portalSignInKey! },
      body: JSON.stringify({ groups: ['admin'] }),
    });
    expect(key.status).toBe(200);

    await ensurePortalBuilt('aws');
    const assets = join(distDirOf('aws'), 'assets');
    const bundle = (await Promise.all((await readdir(assets)).map((f) => readFile(join(assets, f), 'utf8')))).join('\n');
    expect(bundle).toContain('/oauth2/authorize');
    expect(bundle).not.toContain('/local/token');
    expect(bundle).not.toContain('x-hilum-local-key');
  });
});
