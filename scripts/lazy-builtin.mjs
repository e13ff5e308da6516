// Bundled by scripts/build.mjs: stand-ins that load a Node built-in module (or a property Node
// computes on first read, such as fs.promises) when the code first uses it, not at start-up. `names`
// (the value's own property names, listed at build time) lets the bundler's ESM interop list the
// exports without loading anything.

/** A built-in module not yet loaded; `callable` when the module is a function (assert, stream). */
export function lazyModule(id, names, callable) {
  const load = () => process.getBuiltinModule(id);
  if (callable) return lazyProxy(load, names, true);
  // A module's exports are all own properties: a plain object with an accessor per name, which the
  // interop copies at native speed.
  let mod;
  const get = () => (mod ??= load());
  const stub = {};
  for (const name of names) {
    Object.defineProperty(stub, name, {
      get: () => get()[name],
      set: (v) => {
        get()[name] = v;
      },
      enumerable: true,
      configurable: true,
    });
  }
  return stub;
}

/**
 * Any value, loaded on first use: every read, write, call or `new` goes to it (methods on its
 * prototype included). A Proxy of a bound function when the value is callable, so that it can be
 * called and constructed; of a plain object otherwise.
 */
export function lazyProxy(load, names, callable) {
  let value;
  const get = () => (value ??= load());
  const known = new Set(names);
  return new Proxy(callable ? function builtin() {}.bind(null) : {}, {
    apply: (_, self, args) => Reflect.apply(get(), self, args),
    construct: (_, args, newTarget) => Reflect.construct(get(), args, newTarget),
    // The bundler's interop asks whether this is transpiled ESM: a built-in never is.
    get: (_, key) => (key === '__esModule' ? undefined : Reflect.get(get(), key)),
    set: (_, key, v) => Reflect.set(get(), key, v),
    has: (_, key) => key in get(),
    ownKeys: () => names,
    getOwnPropertyDescriptor: (_, key) =>
      known.has(key) ? { configurable: true, enumerable: true, writable: true, value: undefined } : undefined,
  });
}
