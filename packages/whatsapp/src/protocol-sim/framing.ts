/** A transport frame: 3-byte big-endian length, then the payload. */
export function frame(payload: Buffer): Buffer {
  const out = Buffer.alloc(3 + payload.length);
  out.writeUIntBE(payload.length, 0, 3);
  payload.copy(out, 3);
  return out;
}

const EDGE_ROUTING_MAGIC = Buffer.from("ED");
const INTRO_HEADER_LENGTH = 4;

/**
 * Splits the client's byte stream into frames. The first message starts with the intro header
 * ("WA" 6 3), optionally preceded by an "ED" routing-info prefix; frames may be split or concatenated.
 */
export class FrameReader {
  private buffer = Buffer.alloc(0);
  private sawIntro = false;

  push(data: Buffer): Buffer[] {
    let chunk = data;
    if (!this.sawIntro) {
      this.sawIntro = true;
      if (chunk.subarray(0, 2).equals(EDGE_ROUTING_MAGIC)) chunk = chunk.subarray(7 + chunk.readUIntBE(4, 3));
      chunk = chunk.subarray(INTRO_HEADER_LENGTH);
    }
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const frames: Buffer[] = [];
    while (this.buffer.length >= 3) {
      const length = this.buffer.readUIntBE(0, 3);
      if (this.buffer.length < 3 + length) break;
      frames.push(this.buffer.subarray(3, 3 + length));
      this.buffer = this.buffer.subarray(3 + length);
    }
    return frames;
  }
}
