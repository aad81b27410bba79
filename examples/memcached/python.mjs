// Drives the Python writer (writer.py, pylibmc) as a child process: one JSON command a
// line, one JSON answer a line, in order.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));

/** The interpreter with pylibmc: $PYTHON, else the example's venv (see README), else python3. */
export function python() {
  if (process.env.PYTHON) return process.env.PYTHON;
  const venv = here('./.venv/bin/python');
  return existsSync(venv) ? venv : 'python3';
}

export async function startWriter({ timeoutMs = 15_000 } = {}) {
  const child = spawn(python(), [here('./writer.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let status = 'running';
  const exited = new Promise((resolve) => child.once('close', (code, signal) => { status = signal ?? `code ${code}`; resolve(); }));
  child.once('error', (e) => { stderr += e.message; });
  const failure = () => new Error(`the Python writer (${python()}) stopped answering (${status}; is pylibmc installed?): ${stderr.trim()}`);

  const next = async () => {
    const { value, done } = await lines.next();
    if (done) {
      await exited;
      throw failure();
    }
    return JSON.parse(value);
  };
  let queue = Promise.resolve();
  /** Sends one command; resolves to its answer, rejects with the writer's error. */
  const call = (cmd) => {
    const answer = queue.then(async () => {
      child.stdin.write(JSON.stringify(cmd) + '\n');
      const reply = await next();
      if (reply.error) throw new Error(`writer.py ${cmd.cmd}: ${reply.error}`);
      return reply;
    });
    queue = answer.catch(() => {});
    return answer;
  };

  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  let hello;
  try {
    hello = await next();
  } finally {
    clearTimeout(timer);
  }
  return {
    versions: { pylibmc: hello.pylibmc, libmemcached: hello.libmemcached },
    /** Rebuilds pylibmc's client for this pool ({host, port, weight} in order). */
    setPool: (servers) => call({ cmd: 'pool', servers }),
    /** Sets every key to `${key}@${round}`; resolves to the number stored. */
    write: async (keys, round) => {
      const { written, failed } = await call({ cmd: 'write', keys, round });
      if (failed.length) throw new Error(`pylibmc could not store ${failed.length} keys, e.g. ${failed[0]}`);
      return written;
    },
    /** pylibmc's own choice of server (index into the pool) for each key. */
    route: async (keys) => (await call({ cmd: 'route', keys })).servers,
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

export const expectedValue = (key, round) => `${key}@${round}`;
