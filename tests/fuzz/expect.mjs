// The documented refusals (SPEC.md §15's table): error class and stable `code` for every
// kind of bad input. One table, so a decision changes in one line. `Error+` means any
// Error subclass, and code '*' any string code. Where several faults apply the model
// accepts any of their refusals (it does not check §15's precedence order).

export const E = {
  type: { cls: 'TypeError', code: 'INVALID_TYPE' },
  // Decided: ids with a lone UTF-16 surrogate have no UTF-8 form and are refused.
  invalidId: { cls: 'TypeError', code: 'INVALID_ID' },
  arg: { cls: 'RangeError', code: 'INVALID_ARGUMENT' },
  version: { cls: 'RangeError', code: 'UNSUPPORTED_VERSION' },
  // Decided: a vnodes number that is not an integer in 1..=65536 is INVALID_VNODES.
  vnodes: { cls: 'RangeError', code: 'INVALID_VNODES' },
  empty: { cls: 'RangeError', code: 'EMPTY_ID' },
  tooLong: { cls: 'RangeError', code: 'ID_TOO_LONG' },
  dup: { cls: 'Error', code: 'DUPLICATE_ID' },
  unknown: { cls: 'Error', code: 'UNKNOWN_ID' },
  weight: { cls: 'RangeError', code: 'INVALID_WEIGHT' },
  weightLarge: { cls: 'RangeError', code: 'WEIGHT_TOO_LARGE' },
  tooManyNodes: { cls: 'Error', code: 'TOO_MANY_NODES' },
  tooManyPoints: { cls: 'Error', code: 'TOO_MANY_POINTS' },
  seed: { cls: 'Error', code: 'SEED_MISMATCH' },
  progress: { cls: 'RangeError', code: 'INVALID_PROGRESS' },
  factor: { cls: 'RangeError', code: 'INVALID_BALANCE_FACTOR' },
  // Decided: a node that would own no position (crafted MurmurHash3 collisions).
  shadowed: { cls: 'Error', code: 'SHADOWED_NODE' },
  // SPEC §15, JS only: freed (or never built) instances, and calls on an instance from
  // inside another call on it.
  freed: { cls: 'Error', code: 'INSTANCE_FREED' },
  busy: { cls: 'Error', code: 'INSTANCE_BUSY' },
  // SPEC §15: fromJSON text that is not JSON.
  badJson: { cls: 'TypeError', code: 'INVALID_TYPE' },
  // A user's getter that throws: its own error may pass through, or be wrapped.
  hostile: { cls: 'hostile', code: null },
};

/** Whether `err` is one of the expected refusals. */
export function matches(err, expected) {
  for (const e of expected) {
    if (e.cls === 'hostile') {
      if (err && err.hostile === true) return true;
      continue;
    }
    if (!(err instanceof Error)) continue;
    const cls = err.constructor?.name;
    if (e.cls === 'Error+' ? true : cls !== e.cls) {
      if (e.cls !== 'Error+') continue;
    }
    if (e.code === '*' ? typeof err.code === 'string' && err.code.length > 0 : err.code === e.code) return true;
  }
  return false;
}

export const describeErr = (err) => (err instanceof Error
  ? `${err.constructor?.name}${err.code !== undefined ? ` [${String(err.code)}]` : ' [no code]'}: ${String(err.message).slice(0, 160)}`
  : `non-Error thrown: ${String(err)}`);

export const describeExpected = (errs) => [...new Set(errs.map((e) => (e.cls === 'hostile' ? "the getter's own error" : `${e.cls} [${e.code}]`)))].join(' or ');
