// What of a phone number may ever be shown or logged: its last two digits, as *****NN.

/** The two digits a masked number shows. */
export function lastDigits(mobile: string): string {
  return mobile.slice(-2);
}

/** "56" → "*****56". */
export function maskDigits(digits: string): string {
  return `*****${digits}`;
}

/** A number as *****NN, or null when there is none. */
export function maskMobile(mobile: string | null): string | null {
  return mobile ? maskDigits(lastDigits(mobile)) : null;
}
