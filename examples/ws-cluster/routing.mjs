// What one membership (validated by examples/shared/membership.mjs) means for routing: the
// ring, or the transition while a scaling event runs; where each server listens; and which
// servers hold a user's messages.
import { createHash } from 'node:crypto';
import { Transition } from 'ringroute';

/** The copies every message keeps: the owner and the next server on the ring. */
export const COPIES = 2;

/**
 * The cut-over order of an event must not change between its steps, and the document's
 * epoch grows with every step: derive the transition's epoch from the two rings instead.
 * Fingerprints cover ids, weights and ring parameters, not addresses, so a member's
 * restart during the event does not reorder it either.
 */
function eventEpoch(previous, ring) {
  return parseInt(createHash('sha256').update(`${previous.fingerprint}>${ring.fingerprint}`).digest('hex').slice(0, 12), 16);
}

export class Routing {
  /** `m`: a Membership (validated). Throws if a transition cannot be built. */
  constructor(m, registrations) {
    this.m = m;
    this.target = m.ring;
    this.previous = m.previous;
    this.transition = null;
    if (m.previous) {
      this.transition = new Transition(m.previous, m.ring, eventEpoch(m.previous, m.ring));
      if (m.step > 0) this.transition.setStep(m.step, m.steps);
    }
    /** id -> { client, incarnation } for both rings' servers (a previous-only server that
     * restarted or died has no incarnation here: its old copies are gone). */
    this.members = new Map();
    for (const id of m.allIds()) {
      this.members.set(id, {
        client: m.address(id),
        incarnation: m.incarnations.get(id) ?? m.previousIncarnations?.get(id) ?? registrations.get(id)?.incarnation,
      });
    }
    this.fingerprint = m.fingerprint;
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

  /** The client addresses of the ring's servers (for clients to find the cluster again). */
  clientAddresses() {
    return this.m.servers.map((s) => s.address);
  }

  free() {
    this.transition?.free(); // the rings belong to the Membership (freed by the GC)
  }
}
