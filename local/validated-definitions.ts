import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * State machine definitions asl-validator has already accepted, remembered on disk by a hash of
 * the definition and the validator's and runner's versions. aws-local-stepfunctions validates a
 * definition each time a state machine is built, about 1.3-2 s of CPU for the commons' five
 * workflows (schema compilation included), at every start: every integration test file's commons
 * paid it for definitions that had not changed. A definition not seen before is validated as
 * always; a refused one is never remembered.
 */
export class ValidatedDefinitions {
  private readonly versions: string;

  /** `dir` absent: nothing is remembered, every definition is validated. */
  constructor(private readonly dir: string | undefined) {
    // The validator the runner itself requires (it carries its own asl-validator, not the top-level one).
    const runner = path.dirname(require.resolve('aws-local-stepfunctions'));
    this.versions = [packageVersion('aws-local-stepfunctions', runner), packageVersion('asl-validator', runner)].join('\0');
  }

  has(definition: unknown): boolean {
    return this.entry(definition).known;
  }

  /** Remembers a definition that was validated; a cache that cannot be written only costs the next start. */
  add(definition: unknown): void {
    this.entry(definition).remember();
  }

  /**
   * Whether `definition` was validated before, and how to remember it once validated now. Keyed by
   * the definition as it is now: building a state machine may add to it.
   */
  entry(definition: unknown): { readonly known: boolean; remember(): void } {
    const file = this.fileOf(definition);
    return {
      known: file !== undefined && existsSync(file),
      remember: () => {
        if (!file) return;
        try {
          mkdirSync(path.dirname(file), { recursive: true });
          writeFileSync(file, '');
        } catch {
          // A read-only or full cache folder: validation runs again next time.
        }
      },
    };
  }

  private fileOf(definition: unknown): string | undefined {
    if (!this.dir) return undefined;
    const key = createHash('sha256').update(this.versions).update('\0').update(JSON.stringify(definition)).digest('hex');
    return path.join(this.dir, 'validated-definitions', key.slice(0, 40));
  }
}

/** The version of the package `name` as required from `from` (aws-local-stepfunctions does not export its package.json). */
function packageVersion(name: string, from: string): string {
  for (let dir = path.dirname(require.resolve(name, { paths: [from] })); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (manifest.name === name) return manifest.version ?? '';
  }
  return '';
}
