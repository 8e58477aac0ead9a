/**
 * Reading event objects as the compiled matchers do: own properties only, dotted keys seen as nested
 * fields (rewritten by {@link undot}), and a short memo of which objects have a dotted key at all.
 */

/** An event value as seen by matchers. */
export type Obj = Record<string, unknown>;

/** Names an own property must have to be read safely (they also exist on Object.prototype). */
export const PROTO_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Read an own property of an event object (safe for names such as `constructor`). */
export function getField(obj: Obj | undefined, key: string): unknown {
  if (obj === undefined) return undefined;
  if (PROTO_KEYS.has(key)) return Object.hasOwn(obj, key) ? obj[key] : undefined;
  return obj[key];
}

/**
 * Whether any of the dotted alias keys is present on the object. Aliases contain a dot, so they
 * can never name an `Object.prototype` property and a plain property read is safe.
 */
export function hasAlias(obj: Obj, aliases: readonly string[]): boolean {
  for (let i = 0; i < aliases.length; i++) {
    if (obj[aliases[i]!] !== undefined) return true;
  }
  return false;
}

// Dotted keys are rare, and a failing lookup per alias (which walks the prototype chain) at every
// failing node of every rule costs more than the matching itself. So the compiled matchers first ask
// whether the object has a dotted key at all: one pass over its keys, remembered for the last few
// objects, because every rule starts at the same event and mostly walks the same first levels
// (`dynamodb`). The memo only lives while one event is matched ({@link forgetObjects} before and
// after): objects are compared by identity, and an event could change between two matches.
const DOTTED_SLOTS = 4;
const dottedObjs: (Obj | undefined)[] = new Array<Obj | undefined>(DOTTED_SLOTS).fill(undefined);
const dottedAnswers: boolean[] = new Array<boolean>(DOTTED_SLOTS).fill(false);
let dottedNext = 0;

/** Empties the dotted-key memo: call before and after matching an event with compiled matchers. */
export function forgetObjects(): void {
  for (let i = 0; i < DOTTED_SLOTS; i++) dottedObjs[i] = undefined;
}

/** Whether the object has an own enumerable key containing a dot (memoised, see above). */
export function hasDottedKey(obj: Obj): boolean {
  for (let i = 0; i < DOTTED_SLOTS; i++) if (dottedObjs[i] === obj) return dottedAnswers[i] as boolean;
  let dotted = false;
  for (const k in obj) {
    if (k.includes(".")) {
      dotted = true;
      break;
    }
  }
  dottedObjs[dottedNext] = obj;
  dottedAnswers[dottedNext] = dotted;
  dottedNext = (dottedNext + 1) % DOTTED_SLOTS;
  return dotted;
}

/**
 * Rewrite dotted keys of one object level into nested objects (copy-on-write; the event is not
 * modified). A key that is both a leaf and an object becomes an array holding both, so both are seen.
 */
export function undot(obj: Obj): Obj {
  const out: Obj = Object.create(null) as Obj;
  const created = new Set<unknown>([out]);
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (!k.includes(".")) {
      insert(out, [k], v, created);
    }
  }
  for (const k of Object.keys(obj)) {
    if (k.includes(".")) insert(out, k.split("."), obj[k], created);
  }
  return out;
}

function insert(target: Obj, segs: string[], value: unknown, created: Set<unknown>): void {
  let cur = target;
  for (let i = 0; i < segs.length; i++) {
    const k = segs[i]!;
    const last = i === segs.length - 1;
    const existing = Object.hasOwn(cur, k) ? cur[k] : undefined;
    if (last) {
      if (existing === undefined) cur[k] = value;
      else if (isPlainObject(existing) && isPlainObject(value)) {
        const merged = ownCopy(existing, created);
        for (const [kk, vv] of Object.entries(value)) insert(merged, [kk], vv, created);
        cur[k] = merged;
      } else if (Array.isArray(existing) && created.has(existing)) existing.push(value);
      else {
        const arr = [existing, value];
        created.add(arr);
        cur[k] = arr;
      }
      return;
    }
    let next: Obj;
    if (existing === undefined) {
      next = Object.create(null) as Obj;
      created.add(next);
    } else if (isPlainObject(existing)) {
      next = ownCopy(existing, created);
    } else {
      // A leaf (or array) already sits here: keep both as array elements.
      next = Object.create(null) as Obj;
      created.add(next);
      const arr = Array.isArray(existing) && created.has(existing) ? existing : [existing];
      created.add(arr);
      arr.push(next);
      cur[k] = arr;
      cur = next;
      continue;
    }
    cur[k] = next;
    cur = next;
  }
}

function ownCopy(o: Obj, created: Set<unknown>): Obj {
  if (created.has(o)) return o;
  const c = Object.assign(Object.create(null) as Obj, o);
  created.add(c);
  return c;
}

function isPlainObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
