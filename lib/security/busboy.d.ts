// The multipart parser Next.js itself decodes server action bodies with (its compiled copy of busboy 1.x): the proxy
// parses with the same one, so what the proxy lets through Next can decode.
declare module "next/dist/compiled/busboy" {
  import type { Writable } from "node:stream";
  type Options = { headers: Record<string, string>; defParamCharset?: string; limits?: { fieldSize?: number } };
  export default function busboy(options: Options): Writable;
}
