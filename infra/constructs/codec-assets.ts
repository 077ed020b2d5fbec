/**
 * Codec files a Lambda bundle loads at run time (HTJ2K's WebAssembly: OpenJPH has
 * no plain JavaScript build). esbuild writes one index.js; these commands copy each
 * file beside it, only into bundles whose code names the file, so a function that
 * never decodes pixels carries none of it.
 */
import { CODEC_FILES } from '../../layers/dicom';

export function codecAssetCommands(outputDir: string): string[] {
  return CODEC_FILES.map(({ file, packageSpecifier }) => {
    const source = require.resolve(packageSpecifier);
    return `if grep -q "${file}" "${outputDir}/index.js"; then cp "${source}" "${outputDir}/${file}"; fi`;
  });
}
