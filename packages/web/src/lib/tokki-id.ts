/** Tokki IDs as the protocol takes them: 4–20 letters, digits, `.` and `_`. */
const TOKKI_ID = /^[A-Za-z0-9._]{4,20}$/;

export function isTokkiId(value: string): boolean {
  return TOKKI_ID.test(value);
}
