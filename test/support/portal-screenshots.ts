/**
 * `npm run screenshots`: the portal's main pages, as each role sees them with the harness's
 * sample data, written to docs/images/portal-*.png (shown in the README and docs/portal.md).
 */
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { PORTAL_SAMPLE, startPortal } from './portal';

const OUT = resolve(__dirname, '../../docs/images');

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: join(OUT, `portal-${name}.png`), fullPage: false });
  console.log(`docs/images/portal-${name}.png`);
}

async function main(): Promise<void> {
  const portal = await startPortal();
  try {
    const researcher = await portal.signIn('researcher', { username: 'ana-researcher', next: '/explore?modality=CT' });
    await researcher.getByText('3 studies match').waitFor();
    await shot(researcher, 'explore');
    await researcher.getByLabel('Cohort name').fill('Chest CT, all sites');
    await researcher.getByRole('button', { name: 'Save as cohort' }).click();
    await researcher.waitForURL(/\/cohorts\//);
    await researcher.getByRole('heading', { name: /^Cohort:/ }).waitFor();
    await shot(researcher, 'cohort');
    await researcher.goto(portal.url('/access'));
    await researcher.getByLabel('Access to').selectOption(`project:${PORTAL_SAMPLE.restrictedProject}`);
    await researcher.getByLabel('Research purpose').fill('Validating a lung nodule detector on restricted CT studies.');
    await researcher.getByLabel(/I accept the data use agreement/).check();
    await researcher.getByRole('button', { name: 'Send the request' }).click();
    await researcher.getByText('Request sent').waitFor();
    await shot(researcher, 'access');

    const dac = await portal.signIn('dac', { username: 'dac-chair', next: '/dac' });
    await dac.getByText('Validating a lung nodule detector').waitFor();
    await shot(dac, 'dac');
    await dac.getByLabel('Reason (request of ana-researcher)').fill('Within the project terms.');
    await dac.getByRole('button', { name: 'Approve', exact: true }).click();
    await dac.getByText('Approved: the request of ana-researcher.').waitFor();

    const admin = await portal.signIn('admin', { username: 'ops-admin', next: '/admin/audit?action=access-request.approve' });
    await admin.getByRole('cell', { name: 'access-request.approve' }).waitFor();
    await shot(admin, 'audit');

    const signIn = await portal.browser.newPage();
    await signIn.goto(portal.commons.portalUrl!);
    await signIn.goto(portal.url('/sign-in'));
    await signIn.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shot(signIn, 'sign-in');
  } finally {
    await portal.stop();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
