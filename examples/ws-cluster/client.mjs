// A chat user: connects to any server and follows redirects to its owner, obeys
// "reconnect" during scaling events, resends what the server has not acknowledged, and
// hands each message to the application once (dedupe by message id).
import { EventEmitter } from 'node:events';
import { WebSocket } from 'ws';
import { CLOSE } from './protocol.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class ChatClient extends EventEmitter {
  #seeds;
  #socket = null;
  #unacked = new Map(); // message id -> frame
  #seen = new Set();
  #seq = 0;
  #closed = false;
  #next = null; // where to connect next
  #attempt = 0; // failed or redirected dials since the last welcome
  server = null; // the server that welcomed us
  /** Why we connected again, in order: 'redirect' | 'reconnect' | 'lost'. */
  reconnects = [];
  duplicates = 0;

  constructor(user, seeds) {
    super();
    this.user = user;
    this.#seeds = seeds;
  }

  /** Connects (following redirects); resolves once a server welcomes the user. */
  connect() {
    return new Promise((resolve) => {
      this.once('welcome', resolve);
      this.#dial();
    });
  }

  #dial() {
    if (this.#closed) return;
    const seed = this.#seeds[(this.user.length + this.#attempt) % this.#seeds.length];
    const base = this.#next ?? seed;
    this.#next = null;
    const socket = new WebSocket(`${base}/client?user=${encodeURIComponent(this.user)}`);
    this.#socket = socket;
    socket.on('message', (data) => this.#onFrame(JSON.parse(data.toString())));
    socket.on('error', () => {}); // 'close' follows
    socket.on('close', async (code) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.server = null;
      if (this.#closed) return;
      const why = code === CLOSE.REDIRECT ? 'redirect' : code === CLOSE.RECONNECT ? 'reconnect' : 'lost';
      this.reconnects.push(why);
      this.emit('disconnect', why);
      if (why !== 'reconnect') {
        // Redirects can bounce while routers apply a step, and a dead server refuses
        // until etcd drops it: back off a little more each time.
        this.#attempt += 1;
        if (why === 'lost' || this.#attempt > 2) await sleep(Math.min(500, 25 * this.#attempt));
      }
      this.#dial();
    });
  }

  #onFrame(frame) {
    switch (frame.type) {
      case 'welcome':
        this.server = frame.server;
        this.#attempt = 0;
        for (const f of this.#unacked.values()) this.#socket.send(f); // at-least-once
        this.emit('welcome', frame.server);
        break;
      case 'redirect':
      case 'reconnect':
        this.#next = frame.to;
        break;
      case 'ack':
        this.#unacked.delete(frame.id);
        this.emit('ack', frame.id);
        break;
      case 'message':
        if (this.#seen.has(frame.id)) { this.duplicates += 1; break; }
        this.#seen.add(frame.id);
        this.emit('message', frame);
        break;
      case 'error':
        this.emit('server-error', frame.error);
        break;
      default:
    }
  }

  /** Sends `body` to user `to`; returns the message id. */
  send(to, body) {
    this.#seq += 1;
    const id = `${this.user}#${this.#seq}`;
    const frame = JSON.stringify({ type: 'send', id, to, body });
    this.#unacked.set(id, frame);
    if (this.server && this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(frame);
    return id;
  }

  get unacked() { return this.#unacked.size; }

  close() {
    this.#closed = true;
    this.#socket?.close();
  }
}
