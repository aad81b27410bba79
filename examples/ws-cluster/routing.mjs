// What one cluster document means for routing: the ring (or the transition while a scaling
// event runs), where each member listens, and which servers hold a user's messages.
// Built whole from a document and validated before it replaces the live one.
import { HashRing, Transition } from 'ringroute';
import { routingFingerprint } from './protocol.mjs';

/** The copies every message keeps: the owner and the next server on the ring. */
export const COPIES = 2;

export class Routing {
  /** Throws (and frees what it built) unless `doc` is a complete, usable document. */
  constructor(doc) {
    const rings = [];
    try {
      if (!doc || typeof doc !== 'object') throw new TypeError('the cluster document is not an object');
      if (!Number.isSafeInteger(doc.epoch)) throw new TypeError('epoch must be an integer');
      if (!doc.members || typeof doc.members !== 'object') throw new TypeError('members must be an object');
      this.target = HashRing.fromJSON(doc.membership);
      rings.push(this.target);
      this.previous = null;
      this.transition = null;
      if (doc.previous) {
        this.previous = HashRing.fromJSON(doc.previous);
        rings.push(this.previous);
        this.transition = new Transition(this.previous, this.target, doc.epoch);
        rings.push(this.transition);
        if (!(Number.isSafeInteger(doc.step) && Number.isSafeInteger(doc.steps) && doc.step >= 0 && doc.step <= doc.steps && doc.steps <= 1000)) {
          throw new RangeError(`bad step ${doc.step} of ${doc.steps}`);
        }
        if (doc.step > 0) this.transition.setStep(doc.step, doc.steps);
      }
      this.members = new Map();
      const ids = [...(doc.previous?.servers ?? []), ...doc.membership.servers].map((s) => s.id);
      for (const id of ids) {
        const m = doc.members[id];
        if (!m || typeof m.client !== 'string' || typeof m.internal !== 'string' || typeof m.incarnation !== 'string') {
          throw new TypeError(`members[${JSON.stringify(id)}] needs client, internal and incarnation strings`);
        }
        this.members.set(id, { client: m.client, internal: m.internal, incarnation: m.incarnation });
      }
      this.doc = doc;
      this.fingerprint = routingFingerprint(this.target.fingerprint, doc);
    } catch (e) {
      for (const r of rings) r.free();
      throw e;
    }
  }

  /** The same event as `doc` (only its step moves on)? */
  sameEvent(doc) {
    return Boolean(this.transition && doc.previous && doc.epoch === this.doc.epoch);
  }

  /** `{ owner, previous? }` for a user: where it connects, and its old server during an event. */
  route(user) {
    if (this.transition) return this.transition.route(user);
    const owner = this.target.get(user);
    return owner === undefined ? undefined : { owner };
  }

  /**
   * The servers that must hold copies of a message for `user`: its owner and the next
   * server on the ring; during an event also the old owner and its successor, so that
   * both sides of the cut-over deliver and a crash on either side loses nothing.
   */
  holders(user) {
    const out = new Set();
    const r = this.route(user);
    if (r) {
      out.add(r.owner);
      if (r.previous) out.add(r.previous);
    }
    for (const id of this.target.getN(user, COPIES)) out.add(id);
    if (this.previous) for (const id of this.previous.getN(user, COPIES)) out.add(id);
    return [...out];
  }

  free() {
    this.transition?.free();
    this.previous?.free();
    this.target.free();
  }
}
