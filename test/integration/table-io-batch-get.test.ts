/**
 * getItems (layers/adapters/aws/dynamodb/table-io.ts) on DynamoDB Local: many keys (a 1,000-file submission's
 * quarantine lookup) are read a hundred a request, BATCH_GETS_IN_FLIGHT requests at once rather than one after
 * another, and every item is found whichever request read it. The client's requests are counted on their way (a
 * pass-through); DynamoDB Local answers them.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { startCatalogTable, type CatalogTable } from '../support/catalog-table';
import { BATCH_GETS_IN_FLIGHT, getItems, itemKeyOf } from '../../layers/adapters/aws/dynamodb/table-io';

jest.setTimeout(120_000);

let table: CatalogTable;
beforeAll(async () => {
  table = await startCatalogTable('batch-get');
});
afterAll(async () => {
  await table?.stop();
});

/** The client's sends counted: how many were in flight at most, and how many there were. */
function counted(db: CatalogTable['documents']) {
  const seen = { inFlight: 0, most: 0, sends: 0 };
  const send = db.send.bind(db) as (command: unknown) => Promise<unknown>;
  const wrapped = Object.create(db) as CatalogTable['documents'];
  wrapped.send = (async (command: unknown) => {
    seen.sends += 1;
    seen.inFlight += 1;
    seen.most = Math.max(seen.most, seen.inFlight);
    try {
      return await send(command);
    } finally {
      seen.inFlight -= 1;
    }
  }) as CatalogTable['documents']['send'];
  return { db: wrapped, seen };
}

it('reads 1,000 keys in ten requests, several at once, and finds every item that exists', async () => {
  const keys = Array.from({ length: 1000 }, (_, i) => ({ pk: `QUARANTINE#f-${i}`, sk: 'RECORD' }));
  // One item in every 40th key, spread over every request's hundred.
  const stored = keys.filter((_, i) => i % 40 === 7);
  for (let i = 0; i < stored.length; i += 25)
    await table.documents.send(
      new BatchWriteCommand({
        RequestItems: {
          [table.name]: stored.slice(i, i + 25).map((key) => ({ PutRequest: { Item: { ...key, fileId: key.pk.slice(11) } } })),
        },
      }),
    );
  const { db, seen } = counted(table.documents);
  const found = await getItems<{ fileId: string }>(db, table.name, [...keys, ...keys.slice(0, 10)]);
  expect(seen.sends).toBe(10);
  expect(seen.most).toBe(BATCH_GETS_IN_FLIGHT);
  expect([...found.keys()].sort()).toEqual(stored.map(itemKeyOf).sort());
  expect(found.get(itemKeyOf(stored[3]!))).toEqual({ fileId: stored[3]!.pk.slice(11) });
});
