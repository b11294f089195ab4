// Minimal WAV (RIFF, PCM 8- or 16-bit mono) writer and reader, so audio is assembled without any dependency.

export type Pcm = { sampleRate: number; samples: Int16Array };

const HEADER_BYTES = 44;

/**
 * A complete WAV file: the 44-byte canonical RIFF header followed by the samples, 16-bit little-endian or 8-bit
 * unsigned (half the size; every browser plays both).
 */
export function encodeWav({ sampleRate, samples }: Pcm, bits: 8 | 16 = 16): Buffer {
  const bytesPerSample = bits / 8;
  const dataBytes = samples.length * bytesPerSample;
  const out = Buffer.alloc(HEADER_BYTES + dataBytes + (dataBytes % 2));
  out.write("RIFF", 0, "ascii");
  out.writeUInt32LE(out.length - 8, 4);
  out.write("WAVE", 8, "ascii");
  out.write("fmt ", 12, "ascii");
  out.writeUInt32LE(16, 16); // fmt chunk size for PCM
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * bytesPerSample, 28); // byte rate
  out.writeUInt16LE(bytesPerSample, 32); // block align
  out.writeUInt16LE(bits, 34);
  out.write("data", 36, "ascii");
  out.writeUInt32LE(dataBytes, 40);
  if (bits === 8) {
    for (let i = 0; i < samples.length; i++) out[HEADER_BYTES + i] = Math.min(255, (samples[i]! + 32768 + 128) >> 8);
  } else {
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    for (let i = 0; i < samples.length; i++) view.setInt16(HEADER_BYTES + i * 2, samples[i]!, true);
  }
  return out;
}

/** Reads a PCM 8- or 16-bit mono WAV (any chunk order, extra chunks skipped) as 16-bit samples; throws on anything else. */
export function decodeWav(file: Buffer): Pcm {
  if (file.length < 12 || file.toString("ascii", 0, 4) !== "RIFF" || file.toString("ascii", 8, 12) !== "WAVE") {
    throw new Error("not a RIFF/WAVE file");
  }
  let sampleRate = 0;
  let bits = 0;
  let offset = 12;
  while (offset + 8 <= file.length) {
    const id = file.toString("ascii", offset, offset + 4);
    // Writers that stream (espeak-ng to a pipe) leave sizes at 0 or 0xffffffff: clamp to what is there.
    const size = Math.min(file.readUInt32LE(offset + 4), file.length - offset - 8);
    const body = offset + 8;
    if (id === "fmt ") {
      const format = file.readUInt16LE(body);
      const channels = file.readUInt16LE(body + 2);
      bits = file.readUInt16LE(body + 14);
      if (format !== 1 || channels !== 1 || (bits !== 16 && bits !== 8)) {
        throw new Error(`unsupported WAV: format ${format}, ${channels} channels, ${bits} bits`);
      }
      sampleRate = file.readUInt32LE(body + 4);
    } else if (id === "data") {
      if (!sampleRate) throw new Error("WAV data before fmt chunk");
      const bytes = size > 0 ? size : file.length - body;
      const count = Math.floor(bytes / (bits / 8));
      const samples = new Int16Array(count);
      if (bits === 8) {
        for (let i = 0; i < count; i++) samples[i] = (file[body + i]! - 128) << 8;
      } else {
        const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
        for (let i = 0; i < count; i++) samples[i] = view.getInt16(body + i * 2, true);
      }
      return { sampleRate, samples };
    }
    offset = body + size + (size % 2); // chunks are word aligned
  }
  throw new Error("WAV has no data chunk");
}
