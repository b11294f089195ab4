// The pure rules of "Mijn herstelgegevens": when the home page asks the user to confirm their mobile number again.

const DAY_MS = 86_400_000;

/**
 * Whether the user should be asked "Klopt dit nummer nog?": never confirmed, or confirmed more than `days` days ago.
 * An account without a number is asked to register one.
 */
export function reconfirmDue(confirmedAt: Date | null, now: Date, days: number): boolean {
  if (!confirmedAt) return true;
  return now.getTime() - confirmedAt.getTime() > days * DAY_MS;
}
