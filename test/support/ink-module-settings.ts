/**
 * The burned-in check with and without its WebAssembly module (layers/ingest/burned-in/ink-row-simd.ts), each in a
 * fresh copy of the modules, since the instance and HILUM_INK_WASM are read once per thread: without WebAssembly in
 * the global scope, with HILUM_INK_WASM=0, and with neither. `load` imports what it needs inside and answers what
 * the test compares.
 */
export async function inEachInkModuleSetting<T>(load: () => Promise<T>): Promise<{ withoutWebAssembly: T; switchedOff: T; on: T }> {
  const fresh = async (before: () => void, after: () => void): Promise<T> => {
    let found: { readonly value: T } | undefined;
    await jest.isolateModulesAsync(async () => {
      before();
      try {
        found = { value: await load() };
      } finally {
        after();
      }
    });
    return found!.value;
  };
  const global = globalThis as { WebAssembly?: unknown };
  const wasm = global.WebAssembly;
  const withoutWebAssembly = await fresh(
    () => (global.WebAssembly = undefined),
    () => (global.WebAssembly = wasm),
  );
  const previous = process.env['HILUM_INK_WASM'];
  const restore = (): void => {
    if (previous === undefined) delete process.env['HILUM_INK_WASM'];
    else process.env['HILUM_INK_WASM'] = previous;
  };
  const switchedOff = await fresh(() => (process.env['HILUM_INK_WASM'] = '0'), restore);
  const on = await fresh(() => delete process.env['HILUM_INK_WASM'], restore);
  return { withoutWebAssembly, switchedOff, on };
}
