import { ApiObject, App } from 'cdk8s';

// cdk8s validates the whole App at the start of `app.synth()` (and `synthYaml()`), and
// again for every chart it then renders (`App._synthChart` calls `validate(app)`, then
// renders the chart's objects): an App of N charts runs every validation N + 1 times in
// one synth. The App-wide check (src/core/unique-objects.ts) renders every object, so
// those repeats, and rendering everything once more for the output, were most of its
// cost: a third of synth time for ten model servers in one chart.
//
// So within one synth() a check wrapped here runs once, on the second round (the first
// chart's), and what it renders is the output:
// - On the first round other validations still change objects after the App's own
//   (an App's validations run before its children's): MlNamespace places objects,
//   suppressions stamp annotations. By the second round they have all run once, and
//   they are idempotent, so running them again changes nothing.
// - Between the second round and the rendering of each chart, cdk8s only resolves
//   dependencies and runs the (idempotent) validations again. So an object rendered
//   by the check renders the same for the output, which takes that rendering (once)
//   instead of rendering again.
// - The first round threw if any check failed, and a check that passed on the second
//   round passes on the later ones.
// Outside synth() (a chart's own `toJson()`, `Testing.synth`) every validation is a
// round of its own, and every rendering is fresh. Should cdk8s ever validate once per
// synth(), the check runs after it instead (and fails it), never not at all.

interface SynthState {
  /** How many times each check was called in this synth() call. */
  readonly calls: Map<object, number>;
  /** Objects the checks rendered, kept for the output's rendering of them. */
  readonly rendered: Map<ApiObject, any>;
}

const WRAPPED = new WeakSet<App>();
const IN_SYNTH = new WeakMap<App, SynthState>();
const CHECKS = new WeakMap<App, Array<{ key: object; check: () => string[] }>>();

function trackSynth(app: App): void {
  if (WRAPPED.has(app)) return;
  WRAPPED.add(app);
  // Own properties of this App instance, so every caller (jsii languages included) goes
  // through them; the methods themselves are cdk8s's, called unchanged.
  for (const method of ['synth', 'synthYaml'] as const) {
    const original = (app as any)[method] as (...args: unknown[]) => unknown;
    if (typeof original !== 'function') continue;
    Object.defineProperty(app, method, {
      configurable: true,
      writable: true,
      value: function (this: App, ...args: unknown[]) {
        if (IN_SYNTH.has(app)) return original.apply(this, args);
        const state: SynthState = { calls: new Map(), rendered: new Map() };
        IN_SYNTH.set(app, state);
        try {
          const result = original.apply(this, args);
          const missed = (CHECKS.get(app) ?? []).filter(c => (state.calls.get(c.key) ?? 0) < 2);
          const errors = missed.flatMap(c => c.check().map(e => `[${app.node.path}] ${e}`));
          if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
          return result;
        } finally {
          IN_SYNTH.delete(app);
        }
      },
    });
  }
}

/**
 * `check` as a validation of `app` that runs once per `synth()` (on its second round,
 * see above), and on every call outside synth.
 * @internal
 */
export function oncePerSynth(app: App, check: () => string[]): () => string[] {
  trackSynth(app);
  const key = {};
  CHECKS.set(app, [...(CHECKS.get(app) ?? []), { key, check }]);
  return () => {
    const state = IN_SYNTH.get(app);
    if (!state) return check();
    const call = (state.calls.get(key) ?? 0) + 1;
    state.calls.set(key, call);
    return call === 2 ? check() : [];
  };
}

const SERVES_RENDERED = new WeakSet<ApiObject>();

/**
 * `obj.toJson()` for a check wrapped by {@link oncePerSynth}: inside synth(), the
 * rendering is kept and the output takes it instead of rendering `obj` again. The
 * caller must not change it.
 * @internal
 */
export function renderForCheck(obj: ApiObject): any {
  const root = obj.node.root;
  const state = root instanceof App ? IN_SYNTH.get(root) : undefined;
  if (!state) return obj.toJson();
  if (state.rendered.has(obj)) return state.rendered.get(obj);
  const json = obj.toJson();
  state.rendered.set(obj, json);
  if (!SERVES_RENDERED.has(obj)) {
    SERVES_RENDERED.add(obj);
    const render = obj.toJson;
    // The next rendering of `obj` in this synth() (the output's) takes the kept one;
    // any later one renders afresh.
    obj.toJson = function (this: ApiObject) {
      const current = IN_SYNTH.get(root as App);
      if (current?.rendered.has(obj)) {
        const kept = current.rendered.get(obj);
        current.rendered.delete(obj);
        return kept;
      }
      return render.call(this);
    };
  }
  return json;
}
