/**
 * Codec files a Lambda bundle loads at run time (the pixel decoders' WebAssembly,
 * CODEC_FILES of layers/dicom). esbuild writes one index.js; these commands copy each
 * file beside it, only into bundles whose code names the file, so a function that
 * never decodes pixels carries none of them.
 */
import { CODEC_FILES } from '../../layers/dicom';

export function codecAssetCommands(outputDir: string): string[] {
  return CODEC_FILES.map(({ file, packageSpecifier }) => {
    const source = require.resolve(packageSpecifier);
    return `if grep -q "${file}" "${outputDir}/index.js"; then cp "${source}" "${outputDir}/${file}"; fi`;
  });
}
