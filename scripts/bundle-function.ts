import { build, type Plugin } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

// Bundles one Lambda handler the way it is deployed (infra/constructs/
// tributary-function.ts runs this file at synth) and the way bench/api-latency
// measures it. Our own esbuild call rather than NodejsFunction's because it
// takes a plugin: zod's `z` namespace re-exports every locale (`z.locales`),
// and a namespace object used as `z.string()` cannot be tree-shaken, so every
// bundle carried ~260 KiB of translated error messages we never use (ours
// are written in English in the schemas; English is registered by zod's
// schemas module itself, not through that namespace).
const ROOT = fileURLToPath(new URL('../', import.meta.url));

const LAZY_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/token-providers',
  '@aws-sdk/nested-clients',
];

const withoutZodLocales: Plugin = {
  name: 'without-zod-locales',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${join('node_modules', 'zod')}`) ? { path: 'zod-locales', namespace: 'empty' } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

export async function bundleFunction(entry: string, outdir: string, opts: { sourcemap?: boolean } = {}) {
  return build({
    entryPoints: [resolve(ROOT, entry)],
    outfile: join(outdir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minify: true,
    sourcemap: opts.sourcemap ?? true,
    metafile: true,
    logLevel: 'error',
    // node-postgres and friends call require() for Node built-ins, which an ESM bundle lacks
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    // pg-native is optional in node-postgres and never installed. The AWS SDK's
    // default credential chain requires the SSO / INI / process / web-identity
    // providers lazily, only when the environment holds no credentials; Lambda
    // always sets them, so those never load there (and if they ever did, the
    // nodejs24.x runtime ships them). Left out, they are ~100 KiB less to load.
    // bowser (~34 KiB) parses a browser's user agent; @aws-sdk/core's client barrel reaches it
    // only through a dynamic import in the browser user-agent provider, which Node clients never
    // call (they use the util-user-agent-node provider).
    external: ['pg-native', 'bowser', ...LAZY_CREDENTIAL_PROVIDERS],
    plugins: [withoutZodLocales],
  });
}

if (import.meta.main) {
  const [entry, outdir] = process.argv.slice(2);
  if (!entry || !outdir) {
    console.error('usage: node scripts/bundle-function.ts <entry, e.g. functions/api/handler.ts> <output directory>');
    process.exit(2);
  }
  await bundleFunction(entry, outdir);
}
