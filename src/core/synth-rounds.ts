import { App } from 'cdk8s';

// cdk8s validates the whole App at the start of `app.synth()` (and `synthYaml()`), and
// again for every chart it then renders (`App._synthChart` calls `validate(app)` before
// `chart.toJson()`): an App of N charts runs every validation N + 1 times in one synth.
// The App-wide checks (unique objects, policy packs) render every object, so those
// repeats were most of their cost: a third of synth time for ten model servers in one
// chart, and more the more charts an App has.
//
// Within one synth() call a check's outcome cannot change between rounds: the first round
// threw if any check failed, and in between cdk8s only resolves dependencies, renders
// charts and runs validations again (ours are idempotent: placement, annotation stamps).
// So a check wrapped here runs on the first round of a synth() only. Outside synth()
// (a chart's own `toJson()`, `Testing.synth`) every validation is a round of its own.

const WRAPPED = new WeakSet<App>();
/** For an App inside synth(): the checks that already ran in this synth() call. */
const DONE_IN_SYNTH = new WeakMap<App, Set<object>>();

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
        const outer = DONE_IN_SYNTH.has(app);
        if (!outer) DONE_IN_SYNTH.set(app, new Set());
        try {
          return original.apply(this, args);
        } finally {
          if (!outer) DONE_IN_SYNTH.delete(app);
        }
      },
    });
  }
}

/**
 * `check` as a validation that runs once per `synth()` of `app` (see above), and on
 * every call outside synth.
 * @internal
 */
export function oncePerSynth(app: App, check: () => string[]): () => string[] {
  trackSynth(app);
  const key = {};
  return () => {
    const done = DONE_IN_SYNTH.get(app);
    if (done?.has(key)) return [];
    const errors = check();
    done?.add(key);
    return errors;
  };
}
