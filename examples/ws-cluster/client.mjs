// A chat user: connects with its token to any server and follows redirects to its owner,
// obeys "reconnect" during scaling events, resends what the cluster has not acknowledged
// (under the same id), acknowledges every message it receives, and hands each message to
// the application once: dedupe by (sender, id), where the sender is the authenticated
// user the server stamped on it, so no other user can occupy someone else's ids.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { WebSocket } from 'ws';
import { CLOSE, MAILBOX_MS } from './protocol.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** A copy can arrive until its mailbox time runs out, counted from a resend at the latest. */
const DEDUPE_MS = 2 * MAILBOX_MS + 5_000;

export class ChatClient extends EventEmitter {
  #seeds;
  #members = []; // the members' addresses, from the last welcome
  #token;
  #socket = null;
  #unacked = new Map(); // id -> { frame, first }
  #seen = new Map(); // JSON [from, id] -> when first seen
  #closed = false;
  #away = false; // disconnect() called: no redial until connect()
  #next = null; // where to connect next (a redirect)
  #attempt = 0; // failed or redirected dials since the last welcome
  #timer;
  server = null; // the server that welcomed us
  /** Why we connected again, in order: 'redirect' | 'reconnect' | 'lost'. */
  reconnects = [];
  duplicates = 0;

  /**
   * `seeds`: server addresses to start from, or a function returning them (a DNS or
   * load-balancer lookup). Each welcome also brings the current members' addresses, so a
   * client that outlives every seed still finds the cluster.
   * `token`: the string from the login service, or a function returning a fresh one.
   */
  constructor(user, seeds, { token }) {
    super();
    this.user = user;
    this.#seeds = typeof seeds === 'function' ? seeds : () => seeds;
    this.#token = typeof token === 'function' ? token : () => token;
    this.#timer = setInterval(() => this.#tick(), 250);
  }

  /** Connects (following redirects); resolves once a server welcomes the user. */
  connect() {
    this.#away = false;
    return new Promise((resolve) => {
      if (this.server) return resolve(this.server);
      this.once('welcome', resolve);
      if (!this.#socket) this.#dial(); // else a dial in progress will be welcomed
      return undefined;
    });
  }

  /** Opens the one socket this client has (a second one would replace the first). */
  #dial() {
    if (this.#closed || this.#away || this.#socket) return;
    const known = [...new Set([...this.#members, ...this.#seeds()])];
    const seed = known[(this.user.length + this.#attempt) % known.length];
    const base = this.#next ?? seed;
    this.#next = null;
    const socket = new WebSocket(`${base}/client?token=${encodeURIComponent(this.#token())}`);
    this.#socket = socket;
    socket.on('message', (data) => {
      let frame;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return;
      }
      this.#onFrame(socket, frame);
    });
    socket.on('unexpected-response', (req, res) => {
      if (res.statusCode === 401 || res.statusCode === 403) {
        this.#closed = true;
        this.emit('refused', res.statusCode);
      }
      socket.terminate();
    });
    socket.on('error', () => {}); // 'close' follows
    socket.on('close', async (code) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.server = null;
      if (this.#closed || this.#away) return;
      if (code === CLOSE.REPLACED) {
        this.#closed = true; // the same user connected elsewhere: that session wins
        this.emit('replaced');
        return;
      }
      const why = code === CLOSE.REDIRECT ? 'redirect' : code === CLOSE.RECONNECT ? 'reconnect' : 'lost';
      this.reconnects.push(why);
      this.emit('disconnect', why);
      if (why !== 'reconnect') {
        // Redirects can bounce while routers apply a step, and a dead server refuses
        // until etcd drops it: back off a little more each time, up to half a second.
        this.#attempt += 1;
        if (why === 'lost') this.#next = null; // the redirect target may be a dead address
        if (why === 'lost' || this.#attempt > 2) await sleep(Math.min(500, 25 * this.#attempt));
      }
      this.#dial(); // unless connect() or disconnect() came first
    });
  }

  #onFrame(socket, frame) {
    // A socket being replaced may still bring messages (they count); nothing else.
    if (socket !== this.#socket && frame.type !== 'message') return;
    switch (frame.type) {
      case 'welcome':
        this.server = frame.server;
        this.#attempt = 0;
        if (Array.isArray(frame.members)) this.#members = frame.members.filter((a) => typeof a === 'string').slice(0, 100);
        for (const u of this.#unacked.values()) socket.send(u.frame); // at-least-once
        this.emit('welcome', frame.server);
        break;
      case 'redirect':
      case 'reconnect':
        this.#next = typeof frame.to === 'string' ? frame.to : null;
        break;
      case 'ack':
        if (this.#unacked.delete(frame.id)) this.emit('ack', frame.id);
        break;
      case 'message': {
        const key = JSON.stringify([frame.from, frame.id]);
        if (this.#seen.has(key)) this.duplicates += 1;
        else {
          this.#seen.set(key, Date.now());
          this.emit('message', frame);
        }
        socket.send(JSON.stringify({ type: 'got', from: frame.from, id: frame.id }));
        break;
      }
      case 'error':
        this.#onError(frame);
        break;
      default:
    }
  }

  #onError(frame) {
    const pending = this.#unacked.get(frame.id);
    if (!pending) return this.emit('server-error', frame);
    if (frame.code === 'rate-limited' || frame.code === 'too-many-pending') {
      pending.retryAt = Date.now() + 200; // resent by #tick
      return undefined;
    }
    this.#unacked.delete(frame.id);
    return this.emit('failed', frame.id, frame.code);
  }

  /** Resends refused sends, gives up on sends older than the mailbox time, forgets old ids. */
  #tick() {
    const now = Date.now();
    for (const [id, u] of this.#unacked) {
      if (now - u.first > MAILBOX_MS) {
        this.#unacked.delete(id);
        this.emit('failed', id, 'timeout');
      } else if (u.retryAt && now >= u.retryAt && this.server && this.#socket?.readyState === WebSocket.OPEN) {
        u.retryAt = 0;
        this.#socket.send(u.frame);
      }
    }
    for (const [key, at] of this.#seen) {
      if (now - at <= DEDUPE_MS) break; // insertion order is time order
      this.#seen.delete(key);
    }
  }

  /** Sends `body` to user `to`; returns the message id. */
  send(to, body, id = randomUUID()) {
    const frame = JSON.stringify({ type: 'send', id, to, body });
    this.#unacked.set(id, { frame, first: Date.now(), retryAt: 0 });
    if (this.server && this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(frame);
    return id;
  }

  get unacked() { return this.#unacked.size; }

  /** Goes offline (an app sent to the background) until connect(); sends wait meanwhile. */
  disconnect() {
    this.#away = true;
    this.server = null;
    const socket = this.#socket;
    this.#socket = null; // its close event is ignored
    socket?.close();
  }

  close() {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#socket?.close();
  }
}
