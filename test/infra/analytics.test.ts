/** Athena over the release exports: Glue tables that match the Parquet files, partitioned by release. */
import { Match } from 'aws-cdk-lib/assertions';
import { CLINICAL_EXPORT_TABLES } from '../../layers/catalog/clinical-tables';
import { EXPORT_TABLES as IMAGING_TABLES, GLUE_TYPE } from '../../layers/catalog/export-tables';

const EXPORT_TABLES = { ...IMAGING_TABLES, ...CLINICAL_EXPORT_TABLES };
import { Synthesized, byMetadata, ofType, synthCommons } from './synth';

let s: Synthesized;
beforeAll(() => {
  s = synthCommons();
});

describe('analytics (Glue + Athena)', () => {
  it("declares one Glue table per export table, with the export's columns, Parquet SerDe and release partition projection", () => {
    const releasedId = byMetadata(s.resources, 'hilum:bucket', 'released')[0];
    const tables = ofType(s.resources, 'AWS::Glue::Table');
    expect(tables.map(([, t]) => (t.Properties!.TableInput as { Name: string }).Name).sort()).toEqual(Object.keys(EXPORT_TABLES).sort());
    for (const [name, columns] of Object.entries(EXPORT_TABLES)) {
      s.template.hasResourceProperties('AWS::Glue::Table', {
        TableInput: Match.objectLike({
          Name: name,
          PartitionKeys: [{ Name: 'release', Type: 'int' }],
          Parameters: Match.objectLike({ 'projection.enabled': 'true', 'projection.release.type': 'integer' }),
          StorageDescriptor: Match.objectLike({
            Columns: columns.map((c) => ({ Name: c.name, Type: GLUE_TYPE[c.type] })),
            Location: { 'Fn::Join': ['', ['s3://', { Ref: releasedId }, `/analytics/${name}/`]] },
            SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
          }),
        }),
      });
    }
  });

  it('encrypts Athena results with a KMS key and enforces the workgroup configuration', () => {
    s.template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        ResultConfiguration: Match.objectLike({ EncryptionConfiguration: Match.objectLike({ EncryptionOption: 'SSE_KMS' }) }),
      }),
    });
  });
});
