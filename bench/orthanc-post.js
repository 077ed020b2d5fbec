'use strict';
/**
 * The Orthanc reference's client, a process of its own (bench/ingest.bench.ts spawns it): POSTs each file of a
 * list to Orthanc's /instances in turn over one keep-alive connection and prints the loop's wall seconds as JSON.
 * Apart from the bench's process so that the reference does not depend on the commons that process also hosts
 * (its heap, its threads, its V8 settings): the same files posted from that process ran at 87-102 CT slices per
 * second with session 11's commons loaded beside it and 154-182 with session 12's (docs/ingest-scale.md).
 *
 * Usage: node bench/orthanc-post.js ORTHANC_URL FILE_LIST_JSON
 */
const { readFile } = require('node:fs/promises');

async function main() {
  const [url, listPath] = process.argv.slice(2);
  if (!url || !listPath) throw new Error('usage: orthanc-post.js ORTHANC_URL FILE_LIST_JSON');
  const files = JSON.parse(await readFile(listPath, 'utf8'));
  const started = process.hrtime.bigint();
  for (const path of files) {
    const response = await fetch(`${url}/instances`, { method: 'POST', body: await readFile(path) });
    if (!response.ok) throw new Error(`Orthanc refused ${path}: ${response.status}`);
    await response.arrayBuffer();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`${JSON.stringify({ seconds })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
