import { build, type Plugin } from 'esbuild';
import { copyFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

// Bundles the worker as it runs (worker/Dockerfile at image build, the local
// launcher at first launch): one ESM file per entry, the producer thread's
// entry beside the main one (threaded-kafka-producer.ts looks for it there),
// shared code in chunks. Measured (bench/RESULTS.md): idle RSS 169 → 126 MB
// and start → streaming 0.9 → 0.5 s against running the .ts sources, which
// loads Node's type-stripping transformer and every module of the Kafka
// client's barrel in both isolates. Identifiers stay unminified so CPU
// profiles and stack traces keep our function names.
const ROOT = fileURLToPath(new URL('../', import.meta.url));

export const WORKER_ENTRY = 'main.js';

// The Kafka client's CRC-32C is WebAssembly that @platformatic/wasm-utils reads
// from `new URL('../dist/native.wasm', import.meta.url)`: bundled, that URL would
// point next to our chunk, so the bundle carries the file and the URL is made to.
const WASM_UTILS = 'node_modules/@platformatic/wasm-utils/dist/index.js';
const wasmBesideBundle: Plugin = {
  name: 'wasm-beside-bundle',
  setup(b) {
    b.onLoad({ filter: /@platformatic[\\/]wasm-utils[\\/]dist[\\/]index\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const contents = source.replace("'../dist/native.wasm'", "'./native.wasm'");
      if (contents === source) throw new Error(`${WASM_UTILS} no longer reads '../dist/native.wasm': update scripts/bundle-worker.ts`);
      return { contents, loader: 'js' };
    });
  },
};

export async function bundleWorker(outdir: string): Promise<string> {
  await build({
    entryPoints: {
      main: resolve(ROOT, 'worker/main.ts'),
      'kafka-producer-thread': resolve(ROOT, 'worker/sinks/kafka/kafka-producer-thread.ts'),
    },
    outdir,
    bundle: true,
    splitting: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'error',
    // node-postgres and friends call require() for Node built-ins, which an ESM bundle lacks
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    // pg-native is optional in node-postgres and never installed
    external: ['pg-native'],
    plugins: [wasmBesideBundle],
  });
  const wasmUtils = createRequire(resolve(ROOT, 'package.json')).resolve('@platformatic/wasm-utils');
  copyFileSync(resolve(dirname(wasmUtils), 'native.wasm'), resolve(outdir, 'native.wasm'));
  return resolve(outdir, WORKER_ENTRY);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) throw new Error('usage: node scripts/bundle-worker.ts <outdir>');
  console.log(await bundleWorker(resolve(out)));
}
