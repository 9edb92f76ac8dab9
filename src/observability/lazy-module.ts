// The PromQL builder and the Grafana Foundation SDK are large (the SDK alone is most
// of the library's load time) and only needed when an alert, a KEDA query or a
// dashboard is built. So they are not imported at the top of a file: each is a
// proxy that requires its module on first use, and `require('cdk8s-ml')` loads
// neither. Types come from `import type`, which emits nothing.

/**
 * A stand-in for a module's exports that loads the module when one of them is first
 * read. `load` must call `require` with a literal name, so bundlers still see it.
 */
export function lazyModule<T extends object>(load: () => T): T {
  let loaded: T | undefined;
  return new Proxy({} as T, {
    get: (_target, name) => Reflect.get(loaded ??= load(), name),
  });
}
