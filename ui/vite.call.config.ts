// The FaceTime call page's bundle (src/call/), built beside the main window's into
// dist/call/ with fixed names: Dialtone's loopback server (crates/dialtone-agora)
// serves call/call.js and call/call.css under the page's one-time path. Its own build,
// so Agora's SDK never weighs on the main window.
import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  // The main build already copies public/; this one adds only call.js and call.css.
  publicDir: false,
  build: {
    target: "safari15",
    outDir: "dist/call",
    emptyOutDir: false,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: "src/call/main.ts",
      output: {
        entryFileNames: "call.js",
        assetFileNames: "call.[ext]",
        inlineDynamicImports: true,
      },
    },
  },
});
