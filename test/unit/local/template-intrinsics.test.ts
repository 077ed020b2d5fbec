/**
 * The local resolver of CloudFormation intrinsic functions, on small template snippets: what
 * each function resolves to against the local physical names, and which inputs it refuses.
 */
import { TemplateError, type CfnTemplate } from '../../../local/template/cfn-template';
import { Resolver } from '../../../local/template/intrinsics';

const template: CfnTemplate = {
  Parameters: {
    Stage: { Type: 'String', Default: 'dev' },
    NoDefault: { Type: 'String' },
  },
  Conditions: {
    IsDev: { 'Fn::Equals': [{ Ref: 'Stage' }, 'dev'] },
    IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
    NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
    DevAndNotProd: { 'Fn::And': [{ Condition: 'IsDev' }, { Condition: 'NotProd' }] },
    DevOrProd: { 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'IsDev' }] },
  },
  Mappings: { Sizes: { dev: { memory: 512 } } },
  Resources: {
    Bucket: { Type: 'AWS::S3::Bucket', Metadata: { 'hilum:bucket': 'released' } },
    Queue: { Type: 'AWS::SQS::Queue' },
    Fn: { Type: 'AWS::Lambda::Function', Metadata: { 'hilum:functionId': 'Stage', 'hilum:entry': 'functions/ingest/stage.ts' } },
  },
};

describe('intrinsic functions resolved locally', () => {
  const r = new Resolver(template);

  it('resolves Ref to pseudo parameters, parameter defaults and local physical names', () => {
    expect(r.resolve({ Ref: 'AWS::Region' })).toBe('us-east-1');
    expect(r.resolve({ Ref: 'AWS::StackName' })).toBe('hilum-local');
    expect(r.resolve({ Ref: 'Stage' })).toBe('dev');
    expect(r.resolve({ Ref: 'Bucket' })).toBe('hilum-released');
    expect(r.resolve({ Ref: 'Queue' })).toBe('http://sqs.us-east-1.localhost/000000000000/hilum-Queue');
    expect(() => r.resolve({ Ref: 'NoDefault' })).toThrow(new TemplateError('parameter NoDefault has no default'));
  });

  it('resolves Fn::GetAtt in its list and dotted forms, and refuses unknown attributes', () => {
    expect(r.resolve({ 'Fn::GetAtt': ['Fn', 'Arn'] })).toBe('arn:aws:lambda:us-east-1:000000000000:function:hilum-Stage');
    expect(r.resolve({ 'Fn::GetAtt': 'Bucket.RegionalDomainName' })).toBe('hilum-released.s3.us-east-1.amazonaws.com');
    expect(r.resolve({ 'Fn::GetAtt': ['Queue', { 'Fn::Join': ['', ['Queue', 'Name']] }] })).toBe('hilum-Queue');
    expect(() => r.resolve({ 'Fn::GetAtt': ['Bucket', 'Nope'] })).toThrow(
      /Fn::GetAtt Bucket.Nope is not known locally \(AWS::S3::Bucket\)/,
    );
    expect(() => r.resolve({ 'Fn::GetAtt': ['Ghost', 'Arn'] })).toThrow(/Fn::GetAtt on unknown resource Ghost/);
  });

  it('resolves Fn::Sub with variables, attributes, pseudo parameters and ${!Literal}', () => {
    expect(r.resolve({ 'Fn::Sub': '${Bucket}/${AWS::AccountId}/${Fn.Arn}' })).toBe(
      'hilum-released/000000000000/arn:aws:lambda:us-east-1:000000000000:function:hilum-Stage',
    );
    expect(r.resolve({ 'Fn::Sub': ['${Bucket}-${Size}', { Bucket: 'shadowed', Size: 3 }] })).toBe('shadowed-3');
    expect(r.resolve({ 'Fn::Sub': '${!Literal}-${Stage}' })).toBe('${Literal}-dev');
    expect(() => r.resolve({ 'Fn::Sub': ['${List}', { List: ['a'] }] })).toThrow(/Fn::Sub: cannot join/);
  });

  it('resolves Fn::Join, Fn::Split and Fn::Select, refusing an index out of range', () => {
    expect(r.resolve({ 'Fn::Join': ['/', ['a', 1, true, { Ref: 'Stage' }]] })).toBe('a/1/true/dev');
    expect(r.resolve({ 'Fn::Split': [':', 'a:b:c'] })).toEqual(['a', 'b', 'c']);
    expect(r.resolve({ 'Fn::Select': ['2', { 'Fn::Split': [':', 'a:b:c'] }] })).toBe('c');
    expect(() => r.resolve({ 'Fn::Select': [3, ['a']] })).toThrow(/Fn::Select index 3 out of range/);
    expect(() => r.resolve({ 'Fn::Join': ['/', 'not-a-list'] })).toThrow(/Fn::Join: expected a list/);
  });

  it('evaluates conditions (Equals, Not, And, Or) and Fn::If', () => {
    expect(r.condition('IsDev')).toBe(true);
    expect(r.condition('NotProd')).toBe(true);
    expect(r.condition('DevAndNotProd')).toBe(true);
    expect(r.condition('DevOrProd')).toBe(true);
    expect(r.resolve({ 'Fn::If': ['IsProd', 'big', 'small'] })).toBe('small');
    expect(r.resolve({ Condition: 'IsDev' })).toBe(true);
    expect(() => r.condition('Unknown')).toThrow(/unknown condition Unknown/);
  });

  it('resolves Fn::FindInMap, Fn::GetAZs, Fn::Base64 and Fn::ToJsonString', () => {
    expect(r.resolve({ 'Fn::FindInMap': ['Sizes', { Ref: 'Stage' }, 'memory'] })).toBe(512);
    expect(() => r.resolve({ 'Fn::FindInMap': ['Sizes', 'prod', 'memory'] })).toThrow(/Fn::FindInMap Sizes.prod.memory not found/);
    expect(r.resolve({ 'Fn::GetAZs': '' })).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    expect(r.resolve({ 'Fn::Base64': { Ref: 'Stage' } })).toBe(Buffer.from('dev').toString('base64'));
    expect(r.resolve({ 'Fn::ToJsonString': { a: { Ref: 'Stage' } } })).toBe('{"a":"dev"}');
  });

  it('drops AWS::NoValue from objects and lists, resolves deeply, and refuses unsupported intrinsics', () => {
    expect(r.resolve({ keep: [1, { Ref: 'AWS::NoValue' }, { Ref: 'Stage' }], drop: { Ref: 'AWS::NoValue' } })).toEqual({
      keep: [1, 'dev'],
    });
    expect(r.resolve({ 'Fn::If': ['IsProd', 'x', { Ref: 'AWS::NoValue' }] })).toBeUndefined();
    expect(r.resolve({ a: 'plain', b: { c: { Ref: 'Bucket' }, d: 2 } })).toEqual({ a: 'plain', b: { c: 'hilum-released', d: 2 } });
    expect(() => r.resolve({ 'Fn::Cidr': ['10.0.0.0/16', 2, 8] })).toThrow(/intrinsic Fn::Cidr is not supported locally/);
  });
});
