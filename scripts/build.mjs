// Bundles the two entries into dist/main/index.js and dist/post/index.js (ESM, shared chunks under
// dist/chunks/), with dist/licenses.txt for the packages bundled. `node scripts/build.mjs [outdir]`.
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.resolve(process.argv[2] ?? path.join(root, 'dist'));

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
 * Built-in modules are loaded when the code first reads one of their properties, not at start-up.
 * An ESM `import` of a built-in evaluates every export, lazy getters included (node:http then loads
 * Node's own undici for `http.WebSocket`, ~30 ms), and loading node:crypto alone costs ~9 ms that a
 * post step never uses. Each `import` of a built-in becomes a CommonJS stand-in: a Proxy listing the
 * module's names (those of the Node that builds, node_modules/.bin/node) that loads it on first read.
 * require() calls inside CommonJS packages are left to Node.
 */
const builtinsOnUse = {
  name: 'builtins-on-use',
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z_/0-9]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (args.kind === 'require-call' || !builtinModules.includes(name)) return undefined;
      return { path: name, namespace: 'builtin-on-use' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin-on-use' }, (args) => {
      const id = JSON.stringify(`node:${args.path}`);
      const names = JSON.stringify(Object.getOwnPropertyNames(process.getBuiltinModule(`node:${args.path}`)).sort());
      return {
        contents: `module.exports = require(${JSON.stringify('./lazy-builtin.cjs')})(${id}, ${names});`,
        resolveDir: path.join(root, 'scripts'),
        loader: 'js',
      };
    });
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
  plugins: [builtinsOnUse, sideEffectFree],
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
