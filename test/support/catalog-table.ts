import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynamoDb } from '../../local/emulators/dynamodb';
import type { LocalTable } from '../../local/template/local-model';

/** The catalog table alone on DynamoDB Local and a document client over it. */
export interface CatalogTable {
  readonly name: string;
  readonly documents: DynamoDBDocumentClient;
  /** Closes the client, stops DynamoDB Local and removes its data. */
  stop(): Promise<void>;
}

/**
 * The catalog table (pk/sk, the overloaded index gsi1) on its own DynamoDB Local, for
 * tests of the repositories that need neither the commons nor its other services.
 */
export async function startCatalogTable(name: string): Promise<CatalogTable> {
  const dataDir = await mkdtemp(join(tmpdir(), `hilum-${name}-`));
  const dynamodb = await startDynamoDb({ dataDir, port: 0 });
  await dynamodb.createTables([catalogTableDefinition(name)]);
  const documents = DynamoDBDocumentClient.from(dynamodb.client(), { marshallOptions: { removeUndefinedValues: true } });
  return {
    name,
    documents,
    stop: async () => {
      documents.destroy();
      await dynamodb.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The catalog table as the template declares it (pk/sk and the overloaded index gsi1), named `name`. */
export function catalogTableDefinition(name: string): LocalTable {
  return {
    id: 'catalog',
    logicalId: 'Catalog',
    name,
    type: 'AWS::DynamoDB::Table',
    properties: {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk'].map((attribute) => ({ AttributeName: attribute, AttributeType: 'S' })),
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    },
  };
}
