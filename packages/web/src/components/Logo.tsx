/** Tokki's rabbit mark (public/favicon.svg). Decorative: the app's name is always beside it. */
export function Logo({ size = 48 }: { size?: number }) {
  return <img className="logo" src="/favicon.svg" width={size} height={size} alt="" />;
}
