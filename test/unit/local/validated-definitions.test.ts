import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidatedDefinitions } from '../../../local/validated-definitions';
import { WorkflowRunner } from '../../../local/workflow-runner';

const valid = { StartAt: 'Done', States: { Done: { Type: 'Pass', Result: { ok: true }, End: true } } };
// Runnable (a Pass state), but asl-validator refuses it: its Next names no state.
const refused = {
  StartAt: 'Done',
  States: { Done: { Type: 'Pass', Result: { ok: true }, End: true }, Orphan: { Type: 'Pass', Next: 'Missing' } },
};

function register(definition: Record<string, unknown>, validated?: ValidatedDefinitions): WorkflowRunner {
  const runner = new WorkflowRunner({ invokeLambda: async () => null, ...(validated ? { validated } : {}) });
  runner.register({ id: 'toy', arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:toy', name: 'toy', definition });
  return runner;
}

describe('state machine definitions validated once', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hilum-validated-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('remembers a definition once it was validated, and never one that was refused', () => {
    register(valid, new ValidatedDefinitions(dir));
    expect(new ValidatedDefinitions(dir).has(valid)).toBe(true);
    expect(new ValidatedDefinitions(dir).has({ ...valid, Comment: 'changed' })).toBe(false);
    expect(() => register(refused, new ValidatedDefinitions(dir))).toThrow(/invalid/);
    expect(() => register(refused, new ValidatedDefinitions(dir))).toThrow(/invalid/);
    expect(new ValidatedDefinitions(dir).has(refused)).toBe(false);
  });

  it('does not validate a remembered definition again at a later start, and runs it', async () => {
    // Remembered as validated (as if an earlier start had accepted it): no validator runs to refuse it now.
    new ValidatedDefinitions(dir).add(refused);
    const runner = register(refused, new ValidatedDefinitions(dir));
    const record = await runner.run('toy', {});
    expect(record).toMatchObject({ status: 'SUCCEEDED', output: { ok: true } });
    // Elsewhere, or without a cache folder, it is validated, and refused.
    expect(() => register(refused, new ValidatedDefinitions(join(dir, 'other')))).toThrow(/invalid/);
    expect(() => register(refused, new ValidatedDefinitions(undefined))).toThrow(/invalid/);
    expect(() => register(refused)).toThrow(/invalid/);
  });
});
