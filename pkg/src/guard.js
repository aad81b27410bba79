// Checks that wasm-bindgen's generated classes leave to chance: a freed instance (after
// `free()` or `using`) used as `this` or as an argument, and an argument of the wrong
// class. Left to the generated code, the first throws a bare "null pointer passed to
// rust" from inside wasm, and when a freed ring is not the first argument the rings
// before it stay borrowed for good, so every later call on them fails. Here both are
// refused before wasm is entered: an `Error` with code `INSTANCE_FREED`, and a
// `TypeError` with code `INVALID_TYPE`.

/** `error` with `error.code = code`. */
export function coded(error, code) {
  error.code = code;
  return error;
}

// Instances of the package's classes, filled as the classes are guarded.
const prototypes = new Set();

// Freed, or never built by the package (`Object.create(HashRing.prototype)`): either way
// the generated code would pass a null pointer into wasm.
function isFreed(value) {
  return value !== null && typeof value === 'object' && prototypes.has(Object.getPrototypeOf(value))
    && !(value.__wbg_ptr > 0);
}

function checkArgs(where, args) {
  for (let i = 0; i < args.length; i++) {
    if (isFreed(args[i])) {
      throw coded(new Error(`${where}: argument ${i + 1} was freed`), 'INSTANCE_FREED');
    }
  }
}

// The generated code's own errors are plain; give them their class and code: a wrong
// class, and a call made on an instance while one of its own calls runs (from a getter
// the call invoked), which wasm-bindgen refuses before borrowing anything.
export function rethrow(error) {
  if (error instanceof Error && !('code' in error)) {
    if (/^expected instance of /.test(error.message)) throw coded(new TypeError(error.message), 'INVALID_TYPE');
    if (/^recursive use of an object/.test(error.message)) {
      throw coded(new Error(`${error.message}: a ringroute call was made from inside another call on the same instance`), 'INSTANCE_BUSY');
    }
  }
  throw error;
}

/** The error for a call on a freed instance. */
export function freed(where) {
  return coded(new Error(`${where}: the instance was freed`), 'INSTANCE_FREED');
}

function guardMethod(className, name, method) {
  const where = `${className}.${name}()`;
  return function (...args) {
    if (isFreed(this)) {
      if (name === 'free') return undefined; // freeing twice is harmless
      throw freed(where);
    }
    checkArgs(where, args);
    try {
      return method.apply(this, args);
    } catch (error) {
      return rethrow(error);
    }
  };
}

function guardClass(name, cls) {
  prototypes.add(cls.prototype);
  for (const target of [cls.prototype, cls]) {
    for (const key of Object.getOwnPropertyNames(target)) {
      if (key === 'constructor' || key === 'prototype' || key === 'length' || key === 'name') continue;
      const desc = Object.getOwnPropertyDescriptor(target, key);
      // `__`-names are the package's own internals: `__wrap` builds instances, and the
      // fast paths' `__ownerAt` and `__version` take plain numbers and fail safely.
      if (key.startsWith('__')) continue;
      if (typeof desc.value === 'function') {
        desc.value = guardMethod(name, key, desc.value);
        Object.defineProperty(target, key, desc);
      } else if (desc.get) {
        const getter = desc.get;
        desc.get = function () {
          if (isFreed(this)) throw freed(`${name}.${key}`);
          try {
            return getter.call(this);
          } catch (error) {
            return rethrow(error);
          }
        };
        Object.defineProperty(target, key, desc);
      }
    }
  }
  // `using` calls Symbol.dispose, which the generated code made the unguarded `free`.
  if (typeof Symbol.dispose === 'symbol' && cls.prototype[Symbol.dispose]) {
    cls.prototype[Symbol.dispose] = cls.prototype.free;
  }
  // The constructor itself may take instances (`new Transition(prev, next)`).
  const proxy = new Proxy(cls, {
    construct(target, args, newTarget) {
      checkArgs(`new ${name}()`, args);
      try {
        // A plain `new` on the class itself: an object built with the proxy as its
        // constructor gets a slower shape in V8 (twice the time of every later get).
        // Subclasses need Reflect.construct for their own prototype.
        return newTarget === proxy ? new target(...args) : Reflect.construct(target, args, newTarget);
      } catch (error) {
        return rethrow(error);
      }
    },
  });
  return proxy;
}

/** `names` of the generated module's exports, each class and function guarded. */
export function guarded(exports, names) {
  const out = {};
  for (const name of names) {
    const value = exports[name];
    out[name] = value.prototype && typeof value.prototype.free === 'function'
      ? guardClass(name, value)
      : guardMethod('ringroute', name, value);
  }
  return out;
}
