// Child processes that announce themselves with one JSON line on stdout when ready.
import { spawn } from 'node:child_process';

/** Starts `node script ...args`; resolves to `{ info, child, stop() }` after its JSON line. */
export function startProcess(script, args, { timeoutMs = 15_000, env = {} } = {}) {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${script} did not start: ${out}`)); }, timeoutMs);
    const onExit = (code) => { clearTimeout(timer); reject(new Error(`${script} exited with ${code}: ${out}`)); };
    child.once('exit', onExit);
    child.stdout.on('data', function first(chunk) {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout.off('data', first);
      child.stdout.resume();
      const exited = new Promise((r) => child.once('exit', r));
      resolve({
        info: JSON.parse(line),
        child,
        exited,
        /** SIGTERM (graceful) by default; SIGKILL to crash it. */
        stop: async (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        },
      });
    });
  });
}
