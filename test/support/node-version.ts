import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * jest's globalSetup: runs once, in jest's own process, before any test file. It says
 * which Node runs the suite (the CI log shows it) and stops the run on any other major
 * than package.json's `engines` (the one the Lambda functions run, nodejs24.x): tests
 * on another Node would prove nothing about the deployed code. npm scripts get the
 * pinned Node from node_modules/.bin; jest started another way (a system `node`
 * running jest's file) ends here.
 */
export default function checkNodeVersion(): void {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { engines: { node: string } };
  const wanted = /^(\d+)\.x$/.exec(manifest.engines.node)?.[1];
  if (!wanted) throw new Error(`package.json engines.node should read <major>.x, not ${manifest.engines.node}`);
  process.stdout.write(`\ntests run on node ${process.version} (${process.execPath})\n`);
  if (process.versions.node.split('.')[0] !== wanted) {
    throw new Error(
      `the tests run on Node ${wanted}.x like the Lambda functions, not ${process.version}: run them with npm test (or npx jest), which use the Node that npm ci put in node_modules/.bin`,
    );
  }
}
