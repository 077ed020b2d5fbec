import { defineConfig } from 'vite';

/**
 * The portal's build. React's automatic JSX comes from Vite's own transform (Oxc), so no
 * React plugin is needed. Pages are loaded with `import()` from the route table, so each
 * page (and the viewer and upload code behind them) is its own chunk, fetched on demand.
 *
 * `--mode aws` builds for CloudFront: the local role picker is compiled out (HILUM_LOCAL_SIGN_IN
 * is false, so its `import()` is dead code and its chunk is never emitted).
 */
export default defineConfig(({ mode }) => ({
  root: import.meta.dirname,
  base: '/',
  define: { HILUM_LOCAL_SIGN_IN: JSON.stringify(mode !== 'aws') },
  oxc: { jsx: { runtime: 'automatic' } },
  worker: { format: 'es' }, // portal-views: the de-identification worker and Cornerstone's decoders are ES module workers (docs/portal.md)
  optimizeDeps: { exclude: ['@cornerstonejs/dicom-image-loader'], include: ['dicom-parser'] }, // portal-views: dev server only (docs/portal.md)
  build: {
    outDir: mode === 'aws' ? 'dist-aws' : 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 2048,
    // .vite/manifest.json: what each chunk imports, for the bundle budget (local/portal/bundle-budget.ts).
    manifest: true,
  },
  server: {
    // Dev mode (`npm run portal:dev`): the portal's own files from Vite with hot reload, every
    // other request to the local commons, except page navigations, which get index.html.
    proxy: {
      '^/(?!@|src/|node_modules/|index\\.html$).+': {
        target: process.env.HILUM_API_URL ?? 'http://127.0.0.1:3000',
        bypass: (req) => (req.headers.accept?.includes('text/html') ? '/index.html' : undefined),
      },
    },
  },
}));
