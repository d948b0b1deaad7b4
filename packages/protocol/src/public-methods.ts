/**
 * Methods callable without a device token (the sign-in flow). Plain data, apart from the
 * schemas, so that clients can ask without bundling them; `methods.ts` is checked against it.
 */
export const PUBLIC_METHODS = ['server.getInfo', 'auth.requestCode', 'auth.signIn'] as const;

export type PublicMethodName = (typeof PUBLIC_METHODS)[number];

export function isPublicMethod(name: string): name is PublicMethodName {
  return (PUBLIC_METHODS as readonly string[]).includes(name);
}
