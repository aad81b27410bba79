// Turns a cell's report into its failures: the API the contract promises (`ready`, a
// default `init()` returning a promise), synchronous use right after import, and every
// answer equal to the golden vectors.
import { problems } from './replay.mjs';

export function failures(report, which) {
  if (!report) return ['no report'];
  if (report.fatal) return [`fatal: ${report.fatal}`];
  const found = [];
  for (const name of which) {
    const entry = report[name];
    const where = name === 'main' ? 'ringroute' : 'ringroute/full';
    if (!entry) {
      found.push(`${where}: no report`);
      continue;
    }
    const { api } = entry;
    if (api.ready !== 'function') found.push(`${where}: \`ready\` is not a promise (typeof ready.then: ${api.ready})`);
    if (api.init !== 'function') found.push(`${where}: the default export \`init\` is not a function (${api.init})`);
    else if (api.initReturns !== undefined && api.initReturns !== 'function') found.push(`${where}: init() did not return a promise`);
    if (entry.syncError) found.push(`${where}: not usable synchronously right after import: ${entry.syncError.split('\n').slice(0, 4).join(' | ')}`);
    if (entry.asyncError) found.push(`${where}: awaiting ready / init() failed: ${entry.asyncError.split('\n').slice(0, 4).join(' | ')}`);
    const answers = entry.sync ?? entry.afterReady;
    if (answers) {
      for (const p of problems(answers, { full: name === 'full' })) found.push(`${where}${entry.sync ? '' : ' (after ready)'}: ${p}`);
    }
  }
  return found;
}

/** The BoundedLoads answers of a report, to compare across cells. */
export function boundedAnswers(report) {
  const full = report?.full;
  const b = (full?.sync ?? full?.afterReady)?.bounded;
  return b ? `${b.before}|${b.after}|${b.moved}` : undefined;
}
