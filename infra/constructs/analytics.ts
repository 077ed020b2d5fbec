import { Aws, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CLINICAL_EXPORT_TABLES } from '../../layers/catalog/clinical-tables';
import { EXPORT_TABLES, GLUE_TYPE, type ExportColumn, type ExportTable } from '../../layers/catalog/export-tables';

export interface AnalyticsProps {
  /** The released bucket: each release's Parquet export lives under `analytics/<table>/release=<n>/`. */
  readonly released: s3.IBucket;
  readonly releasedKey: kms.IKey;
}

/**
 * Athena over the releases: a Glue database with one table per export table
 * (studies, series, instances, one `clinical_{node}` per base clinical dictionary node, and `clinical_extension`,
 * the long-format table of what projects' dictionary extensions add), partitioned by release with partition projection
 * (a new release is queryable at once: no crawler, no MSCK REPAIR), and an Athena
 * workgroup whose results are encrypted with the released bucket's key and written
 * under its `athena-results/` prefix. The columns come from
 * layers/catalog/export-tables.ts, the module the export writes with.
 */
export class Analytics extends Construct {
  readonly database: glue.CfnDatabase;
  readonly databaseName: string;
  readonly tables: Readonly<Record<ExportTable | string, glue.CfnTable>>;
  readonly workgroup: athena.CfnWorkGroup;

  constructor(scope: Construct, id: string, props: AnalyticsProps) {
    super(scope, id);
    this.databaseName = `hilum_${Stack.of(this)
      .stackName.toLowerCase()
      .replace(/[^a-z0-9_]/g, '_')}`;
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: this.databaseName, description: 'hilum releases (de-identified), one partition per release' },
    });
    const tables = {} as Record<ExportTable | string, glue.CfnTable>;
    // The imaging tables and the clinical ones (one per dictionary node, `clinical_{node}`: docs/catalog.md).
    const exported = { ...EXPORT_TABLES, ...CLINICAL_EXPORT_TABLES } as Record<string, readonly ExportColumn<never>[]>;
    for (const [name, columns] of Object.entries(exported)) {
      const location = `s3://${props.released.bucketName}/analytics/${name}/`;
      const table = new glue.CfnTable(this, `Table-${name}`, {
        catalogId: Aws.ACCOUNT_ID,
        databaseName: this.databaseName,
        tableInput: {
          name,
          description: `hilum ${name}, one partition per release`,
          tableType: 'EXTERNAL_TABLE',
          partitionKeys: [{ name: 'release', type: 'int' }],
          parameters: {
            classification: 'parquet',
            'projection.enabled': 'true',
            'projection.release.type': 'integer',
            'projection.release.range': '1,999999',
            'storage.location.template': `${location}release=\${release}/`,
          },
          storageDescriptor: {
            location,
            columns: columns.map((c) => ({ name: c.name, type: GLUE_TYPE[c.type] })),
            inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
            outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
            serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
          },
        },
      });
      table.addResourceDependency(this.database);
      tables[name] = table;
    }
    this.tables = tables;

    this.workgroup = new athena.CfnWorkGroup(this, 'Workgroup', {
      name: `${this.databaseName}_wg`,
      description: 'hilum: queries over the release exports',
      state: 'ENABLED',
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        resultConfiguration: {
          outputLocation: `s3://${props.released.bucketName}/athena-results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.releasedKey.keyArn },
        },
      },
    });
  }
}
