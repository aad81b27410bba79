// Checks ws-cluster's guarantee from a log of what clients saw, one JSON object a line:
//   {ev:'send', t, from, to, id}     the sender's application sent it
//   {ev:'ack', t, from, id}          the sender saw it acknowledged
//   {ev:'fail', t, from, id, code}   the sender was told it failed (or gave up)
//   {ev:'deliver', t, to, from, id}  the recipient's application received it
//   {ev:'fault', t, what}            what the chaos did (reported, not checked)
//   {ev:'welcome'|'disconnect'|'offline', t, user, ...}  connections (reported, not checked)
// The guarantee: every acknowledged message is delivered to its recipient's application
// exactly once. Also checked: nothing is delivered that was not sent, or to another user,
// and no message (acknowledged or not) is delivered twice.
//   node checker.mjs LOG.jsonl
import { readFileSync } from 'node:fs';

export function check(events) {
  const sent = new Map(); // JSON [from, id] -> { to, acked, failed, deliveries }
  const violations = [];
  const counts = { sends: 0, acks: 0, fails: 0, deliveries: 0, faults: 0 };
  for (const e of events) {
    const key = JSON.stringify([e.from, e.id]);
    if (e.ev === 'send') {
      counts.sends += 1;
      if (sent.has(key)) violations.push(`sent twice with one id: ${key}`);
      sent.set(key, { to: e.to, acked: false, failed: false, deliveries: 0 });
    } else if (e.ev === 'ack' || e.ev === 'fail') {
      const s = sent.get(key);
      if (!s) {
        violations.push(`${e.ev} for a message never sent: ${key}`);
        continue;
      }
      if (e.ev === 'ack') {
        counts.acks += 1;
        s.acked = true;
      } else {
        counts.fails += 1;
        s.failed = true;
      }
      if (s.acked && s.failed) violations.push(`both acknowledged and failed: ${key}`);
    } else if (e.ev === 'deliver') {
      counts.deliveries += 1;
      const s = sent.get(key);
      if (!s) violations.push(`delivered but never sent: ${key}`);
      else if (s.to !== e.to) violations.push(`delivered to ${e.to}, sent to ${s.to}: ${key}`);
      else {
        s.deliveries += 1;
        if (s.deliveries === 2) violations.push(`delivered twice: ${key}${s.acked ? ' (acknowledged)' : ''}`);
      }
    } else if (e.ev === 'fault') {
      counts.faults += 1;
    }
  }
  let lost = 0;
  let unackedDelivered = 0;
  let unackedLost = 0;
  for (const [key, s] of sent) {
    if (s.acked && s.deliveries === 0) {
      lost += 1;
      if (lost <= 20) violations.push(`acknowledged and never delivered: ${key} to ${s.to}`);
    }
    if (!s.acked && s.deliveries > 0) unackedDelivered += 1;
    if (!s.acked && s.deliveries === 0) unackedLost += 1;
  }
  return {
    ok: violations.length === 0,
    counts: { ...counts, acknowledgedLost: lost, unacknowledgedDelivered: unackedDelivered, unacknowledgedNotDelivered: unackedLost },
    violations,
  };
}

export function readLog(path) {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = check(readLog(process.argv[2]));
  console.log(JSON.stringify(result.counts));
  for (const v of result.violations) console.log(`VIOLATION ${v}`);
  process.exit(result.ok ? 0 : 1);
}
