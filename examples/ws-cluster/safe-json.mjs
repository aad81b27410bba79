// JSON from the network, parsed only within a size and a nesting depth, so that no frame
// can exhaust the stack (in JSON.parse or, later, in JSON.stringify) or the heap.
import { MAX_JSON_DEPTH } from './protocol.mjs';

export class BadJson extends Error {
  code = 'BAD_JSON';
}

/** The deepest nesting of `[` and `{` outside strings; stops counting past `limit`. */
function depth(text, limit) {
  let deepest = 0;
  let level = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      level += 1;
      if (level > deepest) deepest = level;
      if (deepest > limit) return deepest;
    } else if (c === 0x5d || c === 0x7d) {
      level -= 1;
    }
  }
  return deepest;
}

/** Parses `text` (a string or Buffer) of at most `maxBytes`, nested at most `maxDepth`. */
export function parseJson(text, { maxBytes, maxDepth = MAX_JSON_DEPTH }) {
  if (Buffer.isBuffer(text)) {
    if (text.length > maxBytes) throw new BadJson(`over the limit of ${maxBytes} bytes`);
    text = text.toString('utf8');
  } else if (typeof text !== 'string' || Buffer.byteLength(text) > maxBytes) {
    throw new BadJson(`over the limit of ${maxBytes} bytes`);
  }
  if (depth(text, maxDepth) > maxDepth) throw new BadJson(`nested deeper than ${maxDepth}`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BadJson(`malformed JSON: ${e.message}`);
  }
}
