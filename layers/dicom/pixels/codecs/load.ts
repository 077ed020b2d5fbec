/**
 * Loading of the Emscripten codecs: once per process, on the first frame that
 * needs one (a handler that never decodes never pays for it), with their console
 * output silenced (OpenJPEG prints progress on every frame).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface EmscriptenOptions {
  print?: (text: string) => void;
  printErr?: (text: string) => void;
  wasmBinary?: Uint8Array;
}

export type EmscriptenFactory<T> = (options: EmscriptenOptions) => Promise<T>;

const quiet = (): void => undefined;

export interface ModuleLoader<T> {
  (): Promise<T>;
  /** Forgets the started module (it aborted): the next call starts a fresh instance. */
  reset(): void;
}

/** A loader that starts the module once; a failed start is forgotten, so the next frame tries again. */
export function lazyModule<T>(factory: () => EmscriptenFactory<T>, wasm?: () => Uint8Array): ModuleLoader<T> {
  let started: Promise<T> | undefined;
  const load = (): Promise<T> => {
    started ??= Promise.resolve()
      .then(() => factory()({ print: quiet, printErr: quiet, ...(wasm ? { wasmBinary: wasm() } : {}) }))
      .catch((error: unknown) => {
        started = undefined;
        throw error;
      });
    return started;
  };
  return Object.assign(load, { reset: (): void => void (started = undefined) });
}

/**
 * A codec's .wasm file: beside this code when it runs from a Lambda bundle (the function
 * construct copies it there, see infra/constructs/hilum-function.ts), else in node_modules.
 */
export function wasmFile(name: string, packageSpecifier: string): Uint8Array {
  const beside = join(__dirname, name);
  return new Uint8Array(readFileSync(existsSync(beside) ? beside : require.resolve(packageSpecifier)));
}

/**
 * Files a bundle must carry beside its code for the codecs it holds (infra copies each one
 * into a function's bundle when the bundle names it): `file` as the decoder reads it, `packageSpecifier`
 * where it lies in node_modules. WebAssembly rather than the asm.js builds (which would bundle as plain
 * JavaScript): on a 1024x1024 frame, 4-10 times faster (JPEG-LS 130 ms against 1.26 s, JPEG 2000
 * 490 ms against 2.4 s, JPEG baseline 53 ms against 220 ms) and smaller.
 */
export const CODEC_FILES: readonly { file: string; packageSpecifier: string }[] = [
  { file: 'charlswasm_decode.wasm', packageSpecifier: '@cornerstonejs/codec-charls/decodewasm' },
  { file: 'openjpegwasm_decode.wasm', packageSpecifier: '@cornerstonejs/codec-openjpeg/decodewasm' },
  { file: 'libjpegturbowasm_decode.wasm', packageSpecifier: '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm' },
  { file: 'openjphjs.wasm', packageSpecifier: '@cornerstonejs/codec-openjph/wasm' },
];
