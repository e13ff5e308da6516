// Bundled by scripts/build.mjs for each `import` of a Node built-in: a stand-in that loads the module
// on the first read of one of its properties. `names` lets the bundler's ESM interop list the exports
// without loading anything.
module.exports = function lazyBuiltin(id, names) {
  let mod;
  const load = () => (mod ??= process.getBuiltinModule(id));
  // A bound function: callable and constructible (assert, events are), with no fixed own properties
  // that the ownKeys answer below would have to list.
  return new Proxy(function builtin() {}.bind(null), {
    apply: (_, self, args) => Reflect.apply(load(), self, args),
    construct: (_, args, newTarget) => Reflect.construct(load(), args, newTarget),
    // The bundler's interop asks whether this is transpiled ESM: a built-in never is.
    get: (_, key) => (key === '__esModule' ? undefined : load()[key]),
    has: (_, key) => key in load(),
    ownKeys: () => names,
    getOwnPropertyDescriptor: (_, key) =>
      names.includes(key) ? { configurable: true, enumerable: true, writable: false, value: undefined } : undefined,
  });
};
