import { defineConfig } from 'vite';

// The page `linkcap view` serves: every asset is bundled into dist/page (nothing loads from a CDN).
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist/page',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    chunkSizeWarningLimit: 2048,
    modulePreload: { polyfill: false },
  },
});
