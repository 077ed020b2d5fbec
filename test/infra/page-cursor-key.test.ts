import { FUNCTIONS, type FunctionSpec } from '../../functions/registry';
import { ENV } from '../../layers/common/env-names';
import { byMetadata, ofType, synthCommons, type CfnResource, type Json, type Synthesized } from './synth';

let s: Synthesized;
beforeAll(() => {
  s = synthCommons();
});

const props = (r: CfnResource): Json => r.Properties ?? {};
const secretId = () => byMetadata(s.resources, 'hilum:secret', 'page-cursors')[0];

function statementsOf(spec: FunctionSpec): Json[] {
  const fn = byMetadata(s.resources, 'hilum:functionId', spec.id)[1];
  const roleId = (props(fn).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return ofType(s.resources, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(props(p).Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap(([, p]) => (props(p).PolicyDocument as { Statement: Json[] }).Statement);
}

describe('the page cursor key', () => {
  it("is a 64-character secret Secrets Manager generates, encrypted with the catalog's CMK", () => {
    const secret = s.resources[secretId()]!;
    const catalogKey = s.logicalIdAt('Catalog/Key/Resource');
    expect(props(secret)).toMatchObject({
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
      KmsKeyId: { 'Fn::GetAtt': [catalogKey, 'Arn'] },
    });
  });

  it.each(Object.values(FUNCTIONS).map((f) => [f.id, f] as const))(
    '%s reads it exactly when it pages results, and never writes it',
    (_id, spec) => {
      const onSecret = statementsOf(spec).filter((st) => JSON.stringify(st.Resource) === JSON.stringify({ Ref: secretId() }));
      const env = (props(byMetadata(s.resources, 'hilum:functionId', spec.id)[1]).Environment as { Variables: Json }).Variables;
      if (!spec.pagesResults) {
        expect(onSecret).toEqual([]);
        expect(env[ENV.pageCursorSecretId]).toBeUndefined();
        return;
      }
      expect(env[ENV.pageCursorSecretId]).toEqual({ Ref: secretId() });
      expect(onSecret.flatMap((st) => [st.Action].flat()).sort()).toEqual([
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
      ]);
    },
  );

  it('is used by the routes that hand out cursors', () => {
    expect(
      Object.values(FUNCTIONS)
        .filter((f) => f.pagesResults)
        .map((f) => f.id)
        .sort(),
    ).toEqual(
      [FUNCTIONS.auditLog, FUNCTIONS.getCohort, FUNCTIONS.listStudies, FUNCTIONS.quarantineList, FUNCTIONS.search].map((f) => f.id).sort(),
    );
  });
});
