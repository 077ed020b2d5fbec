import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { RouteParams } from './lib/route-match';
import type { PortalRole } from './lib/roles';

/**
 * Every page of the portal: its path pattern, who may open it, its place in the navigation,
 * and its module, loaded on demand (`import()`: each page is its own chunk, so Explore does
 * not carry the viewer or the upload code). Add a page with one line here.
 */

export interface PageProps {
  readonly params: RouteParams;
  readonly query: URLSearchParams;
}

export interface PortalRoute {
  readonly path: string;
  readonly title: string;
  /** Who may open it; 'public' pages need no session (sign-in). */
  readonly roles: readonly PortalRole[] | 'signed-in' | 'public';
  /** The navigation's label, for pages that have an entry there. */
  readonly nav?: string;
  readonly page: LazyExoticComponent<ComponentType<PageProps>>;
}

const page = (load: () => Promise<{ default: ComponentType<PageProps> }>) => lazy(load);

export const ROUTES: readonly PortalRoute[] = [
  { path: '/', title: 'Home', roles: 'signed-in', page: page(() => import('./pages/home')) },
  { path: '/sign-in', title: 'Sign in', roles: 'public', page: page(() => import('./pages/sign-in')) },
  { path: '/auth/callback', title: 'Signing in', roles: 'public', page: page(() => import('./pages/auth-callback')) },
  { path: '/explore', title: 'Explore', roles: ['researcher', 'curator'], nav: 'Explore', page: page(() => import('./pages/explore')) },
  { path: '/cohorts/:cohortId', title: 'Cohort', roles: ['researcher', 'curator'], page: page(() => import('./pages/cohort')) },
  {
    path: '/access',
    title: 'Access requests and grants',
    roles: ['researcher'],
    nav: 'My access',
    page: page(() => import('./pages/access')),
  },
  { path: '/dac', title: 'Access request queue', roles: ['dac'], nav: 'Access requests', page: page(() => import('./pages/dac')) },
  { path: '/admin/audit', title: 'Audit log', roles: ['admin'], nav: 'Audit log', page: page(() => import('./pages/audit')) },
  // portal-views: study page, viewer, browser upload and curator queue, one line each below.
  { path: '/upload', title: 'Upload', roles: ['site-uploader'], nav: 'Upload', page: page(() => import('./upload/upload-page')) },
  { path: '/studies/:studyUid', title: 'Study', roles: ['researcher', 'curator'], page: page(() => import('./study/study-page')) },
  { path: '/curator', title: 'Quarantine', roles: ['curator'], nav: 'Quarantine', page: page(() => import('./curator/curator-page')) },
  // Issue 20: evaluation reports and representativeness; the linker's page (issue 19).
  {
    path: '/representativeness',
    title: 'Representativeness',
    roles: ['researcher', 'curator'],
    nav: 'Representativeness',
    page: page(() => import('./pages/representativeness')),
  },
  {
    path: '/evaluations',
    title: 'Model evaluations',
    roles: ['evaluator'],
    nav: 'Evaluations',
    page: page(() => import('./pages/evaluations')),
  },
  {
    path: '/evaluations/:evaluationId',
    title: 'Evaluation report',
    roles: ['evaluator', 'admin'],
    page: page(() => import('./pages/evaluations/report')),
  },
  { path: '/linkage', title: 'Record linkage', roles: ['linker'], nav: 'Record linkage', page: page(() => import('./pages/linkage')) },
];
