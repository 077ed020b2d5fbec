import * as lambda from 'aws-cdk-lib/aws-lambda';
import { createCommonsApp } from '../../infra/app';
import { FAN_OUT_FUNCTIONS, PIPELINE_CONCURRENCY } from '../../infra/stacks/commons-stack';
import type { FunctionKey } from '../../functions/registry';

// Construct-tree checks only: no synth needed.
describe('createCommonsApp context', () => {
  it('creates one site-uploader group per site given as a JSON string on the command line', () => {
    const { stack } = createCommonsApp({ bundle: false, context: { sites: '["site-a","site-b"]' } });
    expect(stack.auth.groupNames).toEqual([
      'researcher',
      'curator',
      'dac',
      'admin',
      'linker',
      'evaluator',
      'site-uploader:site-a',
      'site-uploader:site-b',
    ]);
  });

  it('defaults to the demo site', () => {
    const { stack } = createCommonsApp({ bundle: false });
    expect(stack.auth.groupNames).toContain('site-uploader:demo-site');
  });

  it('skips bundling for every stack when bundle is false', () => {
    const { app, stack } = createCommonsApp({ bundle: false });
    expect(app.node.tryGetContext('aws:cdk:bundling-stacks')).toEqual([]);
    expect(stack.bundlingRequired).toBe(false);
  });

  it('rejects a site id that cannot name a group safely', () => {
    expect(() => createCommonsApp({ bundle: false, context: { sites: ['Site A'] } })).toThrow(/site id/);
    expect(() => createCommonsApp({ bundle: false, context: { sites: '[1, 2]' } })).toThrow(/list of strings/);
  });

  describe('reserved concurrency of the fan-out functions', () => {
    const reservedOf = (stack: ReturnType<typeof createCommonsApp>['stack']) =>
      Object.fromEntries(
        (Object.keys(stack.functions) as FunctionKey[]).map((key) => [
          key,
          (stack.functions[key].node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions,
        ]),
      );

    it('reserves (and so caps) each per-object and per-case function, and no other, so an import cannot starve the API', () => {
      const reserved = reservedOf(createCommonsApp({ bundle: false }).stack);
      for (const [key, value] of Object.entries(reserved)) {
        expect([key, value]).toEqual([key, FAN_OUT_FUNCTIONS.includes(key as FunctionKey) ? PIPELINE_CONCURRENCY : undefined]);
      }
      // One task per object (IngestObject), its quarantine, and the evaluation's per-case scoring.
      expect([...FAN_OUT_FUNCTIONS].sort()).toEqual(['ingestBatch', 'ingestObject', 'quarantine', 'scoreCase']);
      expect(reserved.ingestObject).toBe(PIPELINE_CONCURRENCY);
    });

    it('takes another figure, or 0 for none, from context, and refuses anything else', () => {
      expect(reservedOf(createCommonsApp({ bundle: false, context: { pipelineConcurrency: '20' } }).stack).ingestObject).toBe(20);
      const none = reservedOf(createCommonsApp({ bundle: false, context: { pipelineConcurrency: 0 } }).stack);
      expect(Object.values(none).filter((value) => value !== undefined)).toEqual([]);
      for (const bad of ['-1', 'many', '2.5']) {
        expect(() => createCommonsApp({ bundle: false, context: { pipelineConcurrency: bad } })).toThrow(/pipelineConcurrency/);
      }
    });
  });
});
