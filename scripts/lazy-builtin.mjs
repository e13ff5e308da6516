// Bundled by scripts/build.mjs: stand-ins for Node built-in modules (and for the lazily computed
// properties of loaded ones, such as fs.promises) that load the real value on the first read of one
// of its properties. `names` (the value's own property names, listed at build time) lets the
// bundler's ESM interop list the exports without loading anything.

/** A stand-in for the value `load()` returns; `callable` when that value is a function (assert, a class). */
export function lazyValue(load, names, callable) {
  let value;
  const get = () => (value ??= load());
  if (!callable) {
    // A plain object with a getter per name: the interop copies these at native speed.
    const stub = {};
    for (const name of names) Object.defineProperty(stub, name, { get: () => get()[name], enumerable: true, configurable: true });
    return stub;
  }
  // A Proxy of a bound function: callable and constructible, with no fixed own properties that the
  // ownKeys answer would have to list.
  const known = new Set(names);
  return new Proxy(function builtin() {}.bind(null), {
    apply: (_, self, args) => Reflect.apply(get(), self, args),
    construct: (_, args, newTarget) => Reflect.construct(get(), args, newTarget),
    // The bundler's interop asks whether this is transpiled ESM: a built-in never is.
    get: (_, key) => (key === '__esModule' ? undefined : get()[key]),
    has: (_, key) => key in get(),
    ownKeys: () => names,
    getOwnPropertyDescriptor: (_, key) =>
      known.has(key) ? { configurable: true, enumerable: true, writable: false, value: undefined } : undefined,
  });
}
