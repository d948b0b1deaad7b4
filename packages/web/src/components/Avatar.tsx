import { avatarColor, initials } from '../lib/format';

/** Initials on a colour that belongs to the id. Decorative: the name is always next to it. */
export function Avatar({ id, name, size = 48 }: { id: string; name: string; size?: number }) {
  return (
    <span
      className="avatar"
      aria-hidden="true"
      style={{
        width: size,
        height: size,
        fontSize: Math.round(size * 0.4),
        background: avatarColor(id),
      }}
    >
      {initials(name)}
    </span>
  );
}
