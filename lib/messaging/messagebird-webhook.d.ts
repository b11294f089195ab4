// Types for the MessageBird SDK's webhook-signature helper, which the SDK ships without a declaration.
declare module "messagebird/lib/webhook-signature-jwt" {
  import type { KeyObject } from "node:crypto";

  export class VerifyOptions {
    constructor(
      validateUrl?: boolean,
      validatePayload?: boolean,
      jwtVerifyOptions?: {
        issuer?: string;
        algorithms?: string[];
        clockTolerance?: number;
        maxTokenAge?: number | string;
        currentDate?: Date;
      },
      jwtVerifyJti?: (jti: string) => boolean,
    );
  }

  /** Resolves when the Signature-JWT matches the URL and payload; rejects with "invalid signature: …" otherwise. */
  export function verify(url: string, payload: Buffer | null, jwt: string, key: KeyObject, opts?: VerifyOptions): Promise<true>;

  export const SIGNATURE_HEADER_NAME: string;
}
