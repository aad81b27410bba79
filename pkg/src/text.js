// UTF-8 for the generated bindings: the platform's TextEncoder and TextDecoder where
// they exist, else a small equivalent. Jest's jsdom environment, for one, has neither,
// and the bindings need them for every id that crosses into or out of wasm.

class Utf8Encoder {
  encode(text) {
    const out = new Uint8Array(text.length * 3);
    return out.subarray(0, this.encodeInto(text, out).written);
  }

  // As TextEncoder.encodeInto: stops before a character that does not fit; a lone
  // surrogate becomes U+FFFD.
  encodeInto(text, out) {
    let read = 0;
    let written = 0;
    while (read < text.length) {
      let point = text.charCodeAt(read);
      let units = 1;
      if (point >= 0xd800 && point <= 0xdfff) {
        const next = text.charCodeAt(read + 1);
        if (point <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          point = 0x10000 + ((point - 0xd800) << 10) + (next - 0xdc00);
          units = 2;
        } else {
          point = 0xfffd;
        }
      }
      const size = point < 0x80 ? 1 : point < 0x800 ? 2 : point < 0x10000 ? 3 : 4;
      if (written + size > out.length) break;
      if (size === 1) {
        out[written] = point;
      } else if (size === 2) {
        out[written] = 0xc0 | (point >> 6);
        out[written + 1] = 0x80 | (point & 0x3f);
      } else if (size === 3) {
        out[written] = 0xe0 | (point >> 12);
        out[written + 1] = 0x80 | ((point >> 6) & 0x3f);
        out[written + 2] = 0x80 | (point & 0x3f);
      } else {
        out[written] = 0xf0 | (point >> 18);
        out[written + 1] = 0x80 | ((point >> 12) & 0x3f);
        out[written + 2] = 0x80 | ((point >> 6) & 0x3f);
        out[written + 3] = 0x80 | (point & 0x3f);
      }
      read += units;
      written += size;
    }
    return { read, written };
  }
}

// Only decodes what Rust's `str` hands over, which is always valid UTF-8.
class Utf8Decoder {
  decode(bytes = new Uint8Array(0)) {
    let text = '';
    for (let i = 0; i < bytes.length; ) {
      const lead = bytes[i];
      let point;
      if (lead < 0x80) {
        point = lead;
        i += 1;
      } else if (lead < 0xe0) {
        point = ((lead & 0x1f) << 6) | (bytes[i + 1] & 0x3f);
        i += 2;
      } else if (lead < 0xf0) {
        point = ((lead & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
        i += 3;
      } else {
        point = ((lead & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12)
          | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f);
        i += 4;
      }
      text += String.fromCodePoint(point);
    }
    return text;
  }
}

const platformEncoder = globalThis.TextEncoder;
const platformDecoder = globalThis.TextDecoder;

/** The platform's TextEncoder, or the fallback (its constructor takes no options). */
export const TextEncoder = platformEncoder ?? Utf8Encoder;
/** The platform's TextDecoder, or the fallback (the bindings pass only UTF-8 options). */
export const TextDecoder = platformDecoder ?? Utf8Decoder;
