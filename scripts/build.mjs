// Bundles the two entries into dist/main/index.js and dist/post/index.js (ESM, shared chunks under
// dist/chunks/), with dist/licenses.txt for the packages bundled. `node scripts/build.mjs [outdir] [--load-only]`.
// Plain esbuild: no plugin, no rewritten source. What only some runs need is reached through a dynamic
// import() in src/, which esbuild splits into a chunk of its own that loads when the run gets there.
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outdir = path.resolve(args.find((a) => !a.startsWith('--')) ?? path.join(root, 'dist'));
// --load-only (for bench/load.mjs): the steps' modules themselves as entries, which export run()
// without calling it (src/entry/ is what calls it), so the bundle is evaluated as in a step and nothing runs.
const entryDir = args.includes('--load-only') ? 'src' : 'src/entry';

rmSync(outdir, { recursive: true, force: true });
const { metafile } = await build({
  absWorkingDir: root,
  entryPoints: { main: `${entryDir}/main.ts`, post: `${entryDir}/post.ts` },
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
  // CommonJS packages in the bundle (tunnel, semver, …) call require() for Node's built-in modules.
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
