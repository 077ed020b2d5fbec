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
import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EvaluationRepository } from '../../layers/adapters/aws/dynamodb/evaluation-repository';
import { evaluationReport, type EvaluatedCase, type EvaluationReport } from '../../layers/evaluation';
import type { RepresentativenessAnswer } from '../../web/src/lib/representativeness-view';
import { meanModel } from '../support/onnx-model';
import { submitFiles } from '../support/projects';
import { makeDicom } from '../support/synthetic-dicom';

jest.setTimeout(240_000);

const barCount = (page: Page, chart: string, value: string) =>
  page.locator(`svg[data-chart="${chart}"] rect[data-value="${value}"]`).getAttribute('data-count');

/** An aggregate report from the report code itself: 34 cases, two small sites hidden together, both sexes shown, two reliability bins shown. */
function syntheticReport(): EvaluationReport {
  const cases: EvaluatedCase[] = Array.from({ length: 34 }, (_, i) => ({
    label: i % 2 === 0,
    // Two clusters of scores (bins 0.2-0.3 and 0.6-0.7, each above the minimum size), every fifth case on the wrong side.
    score: ((i % 2 === 0) !== (i % 5 === 0) ? 0.6 : 0.2) + ((i * 37) % 11) / 200,
    attributes: { sex: i < 20 ? 'F' : 'M', site: i < 24 ? 'site-a' : i < 29 ? 'site-small-1' : 'site-small-2' },
  }));
  const outcome = evaluationReport(cases, {
    thresholds: [0.5],
    minimumSubgroupSize: 10,
    calibrationBins: 10,
    bootstrapResamples: 200,
    bootstrapSeed: 1,
  });
  if (!outcome.ok) throw new Error(outcome.reason);
  return outcome.report;
}

const figure = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n.toFixed(3));
/** With HILUM_SCREENSHOTS=1, the page's screenshot goes to docs/images/ (a plain test run takes none). */
async function screenshot(page: Page, name: string, from?: string): Promise<void> {
  if (process.env.HILUM_SCREENSHOTS !== '1') return;
  if (from)
    await page
      .locator(from)
      .first()
      .evaluate((el) => el.scrollIntoView());
  await page.screenshot({ path: join(__dirname, '../../docs/images', name) });
}
const navLabels = (page: Page) => page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts();

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

  it("an evaluator reads an evaluation's aggregate report (only aggregates) and starts one from the browser", async () => {
    const started = Date.now();
    const evaluator = await portal.api(['evaluator'], 'portal-evaluator');
    const spec = {
      project: PORTAL_SAMPLE.openProject,
      model: { bytes: 100, sha256: 'a'.repeat(64) },
      input: { width: 8, height: 8 },
      preprocessing: { kind: 'window', center: 40, width: 400 },
      series: { modality: 'CT', instance: 'middle' },
      task: { label: 'covid19', positive: 'Yes' },
      operatingPoints: [0.5],
    };
    const { evaluationId } = await evaluator.request<{ evaluationId: string }>('POST', '/evaluations', spec);
    // The run itself is model-evaluation.test.ts's; here its outcome is written as the aggregation step writes it.
    const documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: portal.commons.dynamodbEndpoint, region: 'us-east-1', credentials: portal.commons.credentials }),
    );
    const evaluations = new EvaluationRepository(documents, portal.commons.environment.CATALOG_TABLE!);
    await evaluations.markRunning(evaluationId, new Date().toISOString());
    await evaluations.finish(evaluationId, { finishedAt: new Date().toISOString(), report: syntheticReport() });
    documents.destroy();
    const { report } = await evaluator.request<{ report: EvaluationReport }>('GET', `/evaluations/${evaluationId}`);

    const page = await portal.signIn('evaluator', { username: 'portal-evaluator', next: `/evaluations/${evaluationId}` });
    const auc = await page.locator('[data-figure="auc"]').innerText();
    expect(auc).toContain(`AUC ${figure(report.auc.auc)} (DeLong 95% CI ${figure(report.auc.lower)} to ${figure(report.auc.upper)}`);
    expect(auc).toContain(`bootstrap 95% CI ${figure(report.bootstrap.lower)} to ${figure(report.bootstrap.upper)}`);
    expect(await page.getByRole('img', { name: /^ROC curve: AUC/ }).count()).toBe(1);
    const rocPath = await page.locator('svg[data-chart="roc"] path[data-line="roc"]').getAttribute('d');
    expect(rocPath!.split(' ')).toHaveLength(report.roc.length);
    const point = report.operatingPoints[0]!;
    expect(await page.locator('table[data-table="operating-points"] tbody tr').allInnerTexts()).toEqual([
      `${point.threshold}\t${figure(point.sensitivity)}\t${figure(point.specificity)}`,
    ]);
    expect(await page.locator('[data-figure="ece"]').innerText()).toContain(figure(report.calibration!.expectedCalibrationError));
    const shownBins = report.calibration!.bins.filter((b) => b.observedRate !== null);
    expect(shownBins).toHaveLength(2);
    expect(
      await page
        .locator('svg[data-chart="reliability"] g[data-bin]')
        .evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-observed')))),
    ).toEqual(shownBins.map((b) => b.observedRate));
    const siteTable = report.subgroups.find((t) => t.attribute === 'site')!;
    expect(
      await page.locator('svg[data-chart="AUC by site"] g[data-subgroup]').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-auc'))),
    ).toEqual(siteTable.shown.map((s) => String(s.auc!.auc)));
    const site = await page.locator('section[data-attribute="site"]').innerText();
    expect(site).toContain('2 subgroups: suppressed (fewer than 10 cases');
    const sex = report.subgroups.find((t) => t.attribute === 'sex')!;
    expect(await page.locator('table[data-table="fairness-sex"] tbody tr').allInnerTexts()).toEqual([
      expect.stringMatching(new RegExp(`^M\t0.5\t[+−]?${figure(Math.abs(sex.fairness[0]!.aucDifference!))}\t`)),
    ]);
    // Only aggregates: the tables are these, the curve's has no threshold column, and hidden subgroups are not named.
    expect(await page.locator('table[data-table]').evaluateAll((ts) => ts.map((t) => t.getAttribute('data-table')))).toEqual([
      'roc',
      'operating-points',
      'reliability',
      ...report.subgroups.flatMap((t) => [`subgroups-${t.attribute}`, ...(t.fairness.length ? [`fairness-${t.attribute}`] : [])]),
    ]);
    expect(await page.locator('table[data-table="roc"] thead th').evaluateAll((ths) => ths.map((th) => th.textContent))).toEqual([
      'Point',
      'False positive rate',
      'True positive rate',
    ]);
    expect(await page.content()).not.toMatch(/site-small/);
    expect(await navLabels(page)).toEqual(['Evaluations']);
    expect(await portal.axe(page)).toEqual([]);
    await screenshot(page, 'portal-evaluation.png', 'h2:text("Discrimination")');

    // A new evaluation from the browser: the model hashed there, declared, PUT to its presigned URL, run.
    const model = Buffer.from(meanModel(8, 8));
    await page.goto(portal.url('/evaluations'));
    await page.getByLabel('Project').fill(PORTAL_SAMPLE.openProject);
    await page.getByLabel(/^Model \(ONNX/).setInputFiles({ name: 'mean.onnx', mimeType: 'application/octet-stream', buffer: model });
    await page.getByLabel('Input width').fill('8');
    await page.getByLabel('Input height').fill('8');
    expect(await portal.axe(page)).toEqual([]);
    await page.getByRole('button', { name: 'Upload the model and run' }).click();
    await page.waitForURL((u) => /^\/evaluations\/[0-9a-f-]{36}$/.test(u.pathname) && !u.pathname.endsWith(evaluationId));
    const newId = new URL(page.url()).pathname.split('/').pop()!;
    const declared = await evaluator.request<{ status: string; modelSha256: string }>('GET', `/evaluations/${newId}`);
    expect(declared.modelSha256).toBe(createHash('sha256').update(model).digest('hex'));
    expect(['running', 'failed']).toContain(declared.status); // the open project has no sequestered case: the run fails
    await page.getByRole('link', { name: 'All evaluations' }).click();
    await page.getByRole('link', { name: new RegExp(`^${PORTAL_SAMPLE.openProject},`) }).waitFor();
    await page.context().close();
    await portal.commons.idle();
    console.log(`portal: evaluator pages in ${Date.now() - started} ms`);
  });

  it('representativeness: researchers see open cases against the reference and the trend, and no evaluator page; curators also see the split balance', async () => {
    const started = Date.now();
    const curator = await portal.api(['curator'], 'portal-curator');
    const project = 'portal-split';
    await curator.request('POST', '/projects', {
      projectId: project,
      name: project,
      availability: 'open',
      sites: ['site-a'],
      settings: { sequestrationShare: 0.5 },
    });
    const races = ['White', 'Asian', 'White', 'Not Reported'];
    const casesCsv = [
      'case_id,sex,age_at_index,race,ethnicity',
      ...races.map(
        (race, i) =>
          `S${i + 1},${i % 2 ? 'Female' : 'Male'},${30 + 9 * i},${race},${i % 3 ? 'Not Hispanic or Latino' : 'Hispanic or Latino'}`,
      ),
    ].join('\n');
    const uploaderToken = await portal.commons.issueToken(['site-uploader:site-a'], 'portal-split-uploader');
    const uploader = await portal.api(['site-uploader:site-a'], 'portal-split-uploader');
    const files = Object.fromEntries(
      races.map((_, i) => [
        `S${i + 1}.dcm`,
        makeDicom({
          modality: 'CT',
          rows: 16,
          columns: 16,
          studyInstanceUid: `1.2.826.0.1.3680043.8.498.7172.${i + 1}`,
          seriesInstanceUid: `1.2.826.0.1.3680043.8.498.7172.${i + 1}.1`,
          instanceNumber: 1,
          patient: { id: `S${i + 1}` },
        }),
      ]),
    );
    await submitFiles(uploader, project, 'site-a', files, async (id) => {
      for (const path of ['cases', 'clinical/demographics']) {
        const put = await fetch(portal.url(`/submissions/${id}/${path}`), {
          method: 'PUT',
          headers: { authorization: `Bearer ${uploaderToken}`, 'content-type': 'text/csv' },
          body: casesCsv,
        });
        expect(put.status).toBe(200);
      }
    });
    const published = Date.now();
    await portal.commons.idle();
    const { releaseNumber } = await curator.request<{ releaseNumber: number }>('POST', '/releases', { name: 'Portal split' });
    const released = Date.now();
    const researcherApi = await portal.api(['researcher'], 'portal-representativeness');
    const open = await researcherApi.request<RepresentativenessAnswer>('GET', `/releases/${releaseNumber}/representativeness`);
    const split = open.projects.find((p) => p.project === project)!;
    const openSample = open.projects.find((p) => p.project === PORTAL_SAMPLE.openProject)!;
    expect(split.balance).toBeUndefined();

    const page = await portal.signIn('researcher', { username: 'portal-representativeness', next: '/representativeness' });
    await page.getByRole('heading', { name: `${project}: ${split.cases} cases` }).waitFor();
    expect(await page.getByLabel('Release', { exact: true }).inputValue()).toBe(String(releaseNumber));
    for (const p of open.projects)
      expect(await page.locator(`table[data-table="distances-${p.project}"] tbody tr`).allInnerTexts()).toEqual(
        p.dimensions.map((d) => expect.stringContaining(`\t${d.jsDistance === undefined ? 'not measured' : figure(d.jsDistance)}`)),
      );
    const race = split.dimensions.find((d) => d.dimension === 'race')!;
    const compared = Object.values(race.sample).reduce((a, b) => a + b, 0);
    const white = page.locator(`section[data-project="${project}"] section[data-dimension="race"] g[data-category="White"]`);
    expect(Number(await white.getAttribute('data-first'))).toBeCloseTo((race.sample.White ?? 0) / compared, 10);
    // The sample project's age distance at release 1 and at this release: two points of the trend.
    const trend = page.locator(`section[data-project="${PORTAL_SAMPLE.openProject}"] section[data-dimension="age"] circle[data-release]`);
    expect(await trend.evaluateAll((cs) => cs.map((c) => [c.getAttribute('data-release'), c.getAttribute('data-distance')]))).toEqual(
      openSample.trend.map((t) => [String(t.release), String(t.distances.age)]),
    );
    expect(openSample.trend.map((t) => t.release)).toEqual([1, releaseNumber]);
    expect(await page.locator('[data-balance]').count()).toBe(0);
    const nav = await navLabels(page);
    expect(nav).toContain('Representativeness');
    expect(nav).not.toContain('Evaluations');
    // axe runs on the curator's page below: the same charts and tables, and the balance besides.
    await page.goto(portal.url('/evaluations'));
    await page.getByRole('heading', { name: 'Not available to your roles' }).waitFor();

    const all = await curator.request<RepresentativenessAnswer>('GET', `/releases/${releaseNumber}/representativeness`);
    const balance = all.projects.find((p) => p.project === project)!.balance!;
    // The same tab signs out and in again as a curator (cheaper than a new browser context).
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto(portal.url(`/sign-in?next=${encodeURIComponent(`/representativeness?release=${releaseNumber}`)}`));
    await page.getByRole('radio', { name: /^Curator/ }).check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    const curatorPage = page;
    await curatorPage
      .getByRole('heading', { name: `Sequestration balance: ${balance.cases.open} open, ${balance.cases.sequestered} sequestered cases` })
      .waitFor();
    expect(await curatorPage.locator(`table[data-table="balance-${project}"] tbody tr`).count()).toBe(
      balance.attributes.length + balance.pairs.length,
    );
    expect(await portal.axe(curatorPage)).toEqual([]);
    await screenshot(curatorPage, 'portal-representativeness.png', `section[data-project="${project}"]`);
    await curatorPage.context().close();
    console.log(
      `portal: representativeness in ${Date.now() - started} ms (arranging ${published - started}, pipeline ${released - published}, pages ${Date.now() - released})`,
    );
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
    // React's production build, though jest (NODE_ENV=test) started the build: no development warnings.
    expect(bundle).toContain('react.dev/errors/');
    expect(bundle).not.toContain('Each child in a list should have a unique');
  });
});
