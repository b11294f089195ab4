import { describe, expect, it } from "vitest";
import { decodeWav, encodeWav } from "./wav";

describe("WAV", () => {
  it("writes a canonical RIFF header whose sizes match the data", () => {
    const samples = Int16Array.from([0, 1000, -1000, 32767, -32768]);
    const wav = encodeWav({ sampleRate: 11025, samples });
    expect(wav.length).toBe(44 + 10);
    expect(wav.toString("ascii", 0, 4)).toBe("RIFF");
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    expect(wav.toString("ascii", 8, 16)).toBe("WAVEfmt ");
    expect(wav.readUInt16LE(20)).toBe(1);
    expect(wav.readUInt16LE(22)).toBe(1);
    expect(wav.readUInt32LE(24)).toBe(11025);
    expect(wav.readUInt32LE(28)).toBe(22050);
    expect(wav.toString("ascii", 36, 40)).toBe("data");
    expect(wav.readUInt32LE(40)).toBe(10);
    expect(decodeWav(wav)).toEqual({ sampleRate: 11025, samples });
  });

  it("writes 8-bit unsigned samples at half the size, read back to 16-bit within one step", () => {
    const samples = Int16Array.from([0, 1000, -1000, 32767, -32768]);
    const wav = encodeWav({ sampleRate: 11025, samples }, 8);
    expect(wav.length).toBe(44 + 5 + 1);
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    expect(wav.readUInt32LE(28)).toBe(11025);
    expect(wav.readUInt16LE(32)).toBe(1);
    expect(wav.readUInt16LE(34)).toBe(8);
    expect(wav.readUInt32LE(40)).toBe(5);
    expect([...wav.subarray(44, 49)]).toEqual([128, 132, 124, 255, 0]);
    const back = decodeWav(wav).samples;
    samples.forEach((s, i) => expect(Math.abs(back[i]! - s)).toBeLessThanOrEqual(256));
  });

  it("skips unknown chunks and refuses what it cannot read", () => {
    const plain = encodeWav({ sampleRate: 8000, samples: Int16Array.from([5, -5]) });
    const list = Buffer.concat([Buffer.from("LIST"), Buffer.from([3, 0, 0, 0]), Buffer.from("abc\0")]);
    const withList = Buffer.concat([plain.subarray(0, 36), list, plain.subarray(36)]);
    withList.writeUInt32LE(withList.length - 8, 4);
    expect(decodeWav(withList).samples).toEqual(Int16Array.from([5, -5]));
    expect(() => decodeWav(Buffer.from("not a wav file at all"))).toThrow();
  });
});
