// The sandboxed preload cannot load ES modules or our files at run time: bundle it into one CJS file.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    outDir: resolve(import.meta.dirname, '../../dist/electron'),
    emptyOutDir: false,
    minify: false,
    sourcemap: true,
    lib: { entry: resolve(import.meta.dirname, 'index.ts'), formats: ['cjs'], fileName: () => 'preload.cjs' },
    rollupOptions: { external: ['electron'] },
  },
});
