import { createCommonsApp } from '../../infra/app';

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
});
