// Real memcached servers (Debian's `memcached`) on loopback, started and stopped by the
// example and its tests. A pool is a list of `{ host, port, weight }`: the same list both
// the Python writer and the Node readers are given, in the same order.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
// A free loopback port (the OS picks it; memcached cannot report one it picked itself).
import { freePort } from '../shared/etcd.mjs';

const MEMCACHED = process.env.MEMCACHED ?? 'memcached';
export const DEFAULT_PORT = 11211;

/**
 * The pid of the memcached answering on host:port (from `stats`), or null if nothing
 * answers. Checking the pid tells our server from another one already on the port.
 */
function answeringPid(host, port) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let text = '';
    const done = (pid) => { socket.destroy(); resolve(pid); };
    socket.setTimeout(2000, () => done(null));
    socket.once('error', () => done(null));
    socket.once('close', () => done(null)); // something else on the port hung up
    socket.once('connect', () => socket.write('stats\r\n'));
    socket.on('data', (d) => {
      text += d;
      if (text.includes('END\r\n') || text.length > 16_384) done(Number(/^STAT pid (\d+)\r$/m.exec(text)?.[1]) || null);
    });
  });
}

/** Resolves true once our child answers on host:port, false if it exits first. */
async function answering(child, host, port, exited, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  exited.then(() => { gone = true; });
  for (let attempt = 0; ; attempt++) {
    if (gone) return false;
    if ((await answeringPid(host, port)) === child.pid) return true;
    if (Date.now() > deadline) throw new Error(`memcached on ${host}:${port} not answering after ${timeoutMs} ms`);
    // memcached prints nothing when it starts listening (only -vv does, along with every
    // command afterwards), so the readiness signal is its own answer to `stats`.
    await new Promise((r) => setTimeout(r, Math.min(5 * 2 ** attempt, 50)));
  }
}

/**
 * Starts one memcached on host:port. Resolves to `{ host, port, stop() }`, or to null
 * when the port is taken (memcached exits with "Address already in use").
 */
export async function startMemcached(host, port, { timeoutMs = 10_000 } = {}) {
  const args = ['-l', host, '-p', String(port), '-U', '0', '-t', '1', '-m', '16', '-c', '256'];
  if (process.getuid?.() === 0) args.push('-u', userInfo().username); // it refuses root without -u
  const child = spawn(MEMCACHED, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-2000); });
  const exited = new Promise((resolve) => {
    child.once('exit', resolve);
    child.once('error', (e) => { stderr += e.message; resolve(null); });
  });
  let up;
  try {
    up = await answering(child, host, port, exited, timeoutMs);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  if (!up) {
    await exited;
    if (/already in use|cannot assign/i.test(stderr)) return null;
    throw new Error(`memcached on ${host}:${port} exited (is Debian's memcached installed?): ${stderr.trim()}`);
  }
  return {
    host,
    port,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** One memcached on a free 127.0.0.1 port (a port taken between probe and bind is retried). */
export async function startOnFreePort() {
  for (let attempt = 0; attempt < 5; attempt++) {
    const server = await startMemcached('127.0.0.1', await freePort());
    if (server) return server;
  }
  throw new Error('no free loopback port for memcached after 5 attempts');
}

/**
 * One memcached on the default port 11211, on the first loopback address among
 * 127.0.0.1-3 where 11211 is free (all of 127/8 is loopback on Linux), or null when it
 * is taken on all three (say, by a system memcached on 0.0.0.0). libmemcached labels
 * this server's points `host-i` instead of `host:port-i`, so it routes differently.
 */
export async function startOnDefaultPort() {
  for (const host of ['127.0.0.1', '127.0.0.2', '127.0.0.3']) {
    const server = await startMemcached(host, DEFAULT_PORT).catch(() => null);
    if (server) return server;
  }
  return null;
}

/** Starts `count` servers at once (one of them on 11211 if `defaultPort` and it is free). */
export async function startServers(count, { defaultPort = false } = {}) {
  const started = [];
  try {
    if (defaultPort && count > 0) {
      const server = await startOnDefaultPort();
      if (server) started.push(server);
    }
    const rest = await Promise.allSettled(Array.from({ length: count - started.length }, () => startOnFreePort()));
    for (const r of rest) if (r.status === 'fulfilled') started.push(r.value);
    const failed = rest.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return started;
  } catch (e) {
    await stopServers(started);
    throw e;
  }
}

export async function stopServers(servers) {
  await Promise.all(servers.map((s) => s.stop()));
}

/** The pool as the clients see it: address and weight, in order. */
export function membership(servers, weights = new Map()) {
  return servers.map((s) => ({ host: s.host, port: s.port, weight: weights.get(s) ?? 1 }));
}

export const address = (s) => `${s.host}:${s.port}`;
