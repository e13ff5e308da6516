// Bundles the two entries into dist/main/index.js and dist/post/index.js (ESM, shared chunks under
// dist/chunks/), with dist/licenses.txt for the packages bundled. `node scripts/build.mjs [outdir] [--load-only]`.
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const loadOnly = args.includes('--load-only');
const outdir = path.resolve(args.find((a) => !a.startsWith('--')) ?? path.join(root, 'dist'));

/**
 * Modules whose evaluation only defines things: esbuild may drop them when nothing they export is
 * used. @actions/core reaches @actions/http-client (and through it undici, ~1 MB) only for
 * getIDToken, which this action never calls; without this, every step would evaluate undici.
 * Each path here must have no top-level effect that the action relies on.
 */
const SIDE_EFFECT_FREE = [
  /node_modules\/@actions\/core\/lib\//,
  /node_modules\/@actions\/http-client\/lib\//,
  /node_modules\/@actions\/exec\/lib\//,
  /node_modules\/@actions\/io\/lib\//,
];

const sideEffectFree = {
  name: 'side-effect-free',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData?.resolving) return undefined;
      const result = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: { resolving: true },
      });
      if (result.errors.length > 0 || !SIDE_EFFECT_FREE.some((re) => re.test(result.path)))
        return result.errors.length > 0 ? { errors: result.errors } : result;
      return { ...result, sideEffects: false };
    });
  },
};

/**
 * Built-in modules Node 24 has loaded before any code of ours runs: nothing to gain by deferring them.
 * Not node:util: listing its properties' descriptors, as the bundler's interop does, makes Node load
 * streams, worker_threads and more (~6 ms).
 */
const LOADED_AT_START = new Set([
  'async_hooks',
  'buffer',
  'diagnostics_channel',
  'events',
  'fs',
  'module',
  'path',
  'process',
  'querystring',
  'timers',
  'url',
]);

/**
 * Built-in modules are loaded when the code first reads one of their properties, not at start-up.
 * An ESM `import` of a built-in evaluates every export, lazy getters included (node:http then loads
 * Node's own undici for `http.WebSocket`, ~30 ms), and loading node:crypto alone costs ~9 ms that a
 * post step never uses. So each `import` of a built-in becomes a CommonJS stand-in: the module itself
 * from process.getBuiltinModule() when Node has already loaded it, else scripts/lazy-builtin.cjs with
 * the module's names (those of the Node that builds: node_modules/.bin/node). require() calls inside
 * CommonJS packages are left to Node.
 */
const HELPER = "'./lazy-builtin.mjs'";
const HELPER_DIR = path.join(root, 'scripts');
// Reading fs.F_OK and the like, to learn what they hold, warns of their deprecation: not our use.
process.noDeprecation = true;
const isAccessor = (obj, name) => typeof Object.getOwnPropertyDescriptor(obj, name)?.get === 'function';

/**
 * An ESM module that re-exports a loaded built-in: each export a pure read that the bundler drops
 * when nothing uses it, so an import costs no copying of the module's names (the CommonJS interop
 * copies every name into each importing module). A property Node computes on first read (fs.promises,
 * fs.ReadStream) stays unread until used, through a stand-in; a primitive one (fs.F_OK) is read.
 */
function esmShim(id, mod, names) {
  const lines = [
    `import { lazyProxy } from ${HELPER};`,
    `const m = process.getBuiltinModule(${JSON.stringify(id)});`,
    'const get = (k) => m[k];',
    'export default m;',
  ];
  names
    .filter((name) => name !== 'default')
    .forEach((name, i) => {
      const value = isAccessor(mod, name) ? mod[name] : undefined;
      const deferred = value !== null && (typeof value === 'object' || typeof value === 'function');
      const init = deferred
        ? `lazyProxy(() => m[${JSON.stringify(name)}], ${JSON.stringify(Object.getOwnPropertyNames(value).sort())}, ${typeof value === 'function'})`
        : `get(${JSON.stringify(name)})`;
      lines.push(`const e${i} = /* @__PURE__ */ ${init};`, `export { e${i} as ${JSON.stringify(name)} };`);
    });
  return lines.join('\n');
}

const builtinsOnUse = {
  name: 'builtins-on-use',
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z_/0-9]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (args.kind === 'require-call' || !builtinModules.includes(name)) return undefined;
      return { path: name, namespace: 'builtin-on-use' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin-on-use' }, (args) => {
      const id = `node:${args.path}`;
      const mod = process.getBuiltinModule(id);
      const names = Object.getOwnPropertyNames(mod).sort();
      if (LOADED_AT_START.has(args.path)) return { contents: esmShim(id, mod, names), resolveDir: HELPER_DIR, loader: 'js' };
      return {
        contents: `const { lazyModule } = require(${HELPER});\nmodule.exports = lazyModule(${JSON.stringify(id)}, ${JSON.stringify(names)}, ${typeof mod === 'function'});`,
        resolveDir: HELPER_DIR,
        loader: 'js',
      };
    });
  },
};

/**
 * Two toolkit modules take functions out of fs.promises at their top level, which makes Node load its
 * promise file system and readline (~2 ms) in every step, whether or not they are called: @actions/io
 * (`export const { chmod, … } = fs.promises`, though @actions/exec needs none of them to run a
 * command) and @actions/core's summary (`const { access, … } = promises`). Each name becomes a
 * function that reads fs.promises when called. The build fails if a line changes, so that an update
 * of the toolkit is looked at.
 */
const PROMISES_AT_TOP = [
  {
    file: /node_modules[\\/]@actions[\\/]io[\\/]lib[\\/]io-util\.js$/,
    line: /^export const \{ ([\w, ]+) \} = fs\.promises;$/m,
    via: 'fs.promises',
  },
  { file: /node_modules[\\/]@actions[\\/]core[\\/]lib[\\/]summary\.js$/, line: /^const \{ ([\w, ]+) \} = promises;$/m, via: 'promises' },
];
const promisesOnUse = {
  name: 'fs-promises-on-use',
  setup(b) {
    for (const { file, line, via } of PROMISES_AT_TOP) {
      b.onLoad({ filter: file }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        const m = source.match(line);
        if (!m) throw new Error(`${args.path} no longer has the line ${line}: look at PROMISES_AT_TOP in scripts/build.mjs.`);
        const keyword = m[0].startsWith('export') ? 'export const' : 'const';
        const wrappers = m[1].split(', ').map((name) => `${keyword} ${name} = (...args) => ${via}.${name}(...args);`);
        return { contents: source.replace(line, wrappers.join('\n')), loader: 'js' };
      });
    }
  },
};

/**
 * --load-only (for bench/load.mjs): each entry imports its step and keeps a reference to run()
 * without calling it, so that the bundle is evaluated exactly as in a step, and nothing runs.
 */
const entriesThatDoNotRun = {
  name: 'entries-that-do-not-run',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]entry[\\/](main|post)\.ts$/ }, (args) => ({
      contents: `import { run } from '../${path.basename(args.path, '.ts')}.js';\nglobalThis.ghcrPublishRun = run;\n`,
      loader: 'ts',
    }));
  },
};

/**
 * @actions/attest, loaded by a dynamic import() only when a run attests, with none of its weight in
 * the chunks every step loads at start:
 * - its one use of @actions/core, getIDToken, comes from a copy of core's oidc-utils of its own. The
 *   steps import @actions/core, whose core.js imports oidc-utils; were attest to use that file,
 *   esbuild would place it, with @actions/http-client and undici (~0.4 MB), where every step loads it.
 * - minipass-fetch's optional `require('encoding')` (for Body.textConverted(), which nothing here
 *   calls) meets a module that throws, as when that package is not installed, not iconv-lite (~0.5 MB).
 */
const attestApart = {
  name: 'attest-apart',
  setup(b) {
    const coreLib = path.join(root, 'node_modules/@actions/core/lib');
    b.onResolve({ filter: /^@actions\/core$/ }, (args) =>
      /node_modules[\\/]@actions[\\/]attest[\\/]/.test(args.importer) ? { path: 'get-id-token', namespace: 'attest-apart' } : undefined,
    );
    b.onLoad({ filter: /^get-id-token$/, namespace: 'attest-apart' }, () => ({
      contents:
        "import { OidcClient } from 'oidc-utils-of-attest';\nexport const getIDToken = (audience) => OidcClient.getIDToken(audience);\n",
      resolveDir: coreLib,
      loader: 'js',
    }));
    b.onResolve({ filter: /^oidc-utils-of-attest$/, namespace: 'attest-apart' }, () => ({
      path: path.join(coreLib, 'oidc-utils.js'),
      suffix: '?attest',
    }));
    b.onResolve({ filter: /^encoding$/ }, () => ({ path: 'encoding', namespace: 'attest-apart' }));
    b.onLoad({ filter: /^encoding$/, namespace: 'attest-apart' }, () => ({
      contents: "throw new Error('the optional package encoding is not bundled');",
      loader: 'js',
    }));
  },
};

rmSync(outdir, { recursive: true, force: true });
const { metafile } = await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/entry/main.ts', post: 'src/entry/post.ts' },
  outdir,
  entryNames: '[name]/index',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  minify: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  plugins: [attestApart, builtinsOnUse, promisesOnUse, sideEffectFree, ...(loadOnly ? [entriesThatDoNotRun] : [])],
  // CommonJS packages in the bundle (undici, semver, …) call require() for Node's built-in modules.
  banner: { js: "const require=process.getBuiltinModule('node:module').createRequire(import.meta.url);" },
});
writeFileSync(path.join(outdir, 'package.json'), '{\n  "type": "module"\n}\n');
writeFileSync(path.join(outdir, 'licenses.txt'), licenses(metafile));

/** The name, version, license and license text of every package with code in the bundle. */
function licenses(meta) {
  const dirs = new Set();
  for (const input of Object.keys(meta.inputs)) {
    const m = input.match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//);
    if (m) dirs.add(m[1]);
  }
  return [...dirs]
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
      const file = readdirSync(path.join(root, dir)).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
      const text = file && existsSync(path.join(root, dir, file)) ? readFileSync(path.join(root, dir, file), 'utf8').trim() : '';
      return { id: `${pkg.name}@${pkg.version}`, body: `${pkg.name} ${pkg.version}\n${pkg.license ?? 'UNKNOWN'}\n${text}` };
    })
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((p) => p.body)
    .join('\n\n');
}
