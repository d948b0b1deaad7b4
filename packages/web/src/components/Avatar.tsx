import { useState } from 'react';
import { avatarColor, initials } from '../lib/format';
import { photoUrl } from '../lib/photo';

/**
 * The profile picture when there is one, else initials on a colour that belongs to the id.
 * Decorative: the name is always next to it.
 */
export function Avatar({
  id,
  name,
  photo,
  size = 48,
  large = false,
}: {
  id: string;
  name: string;
  photo?: string | null | undefined;
  size?: number;
  /** The full picture rather than the thumbnail (for big avatars). */
  large?: boolean;
}) {
  // A picture that fails to load (offline, removed) shows the initials instead.
  const [failed, setFailed] = useState<string | null>(null);
  const showPhoto = photo && failed !== photo;
  return (
    <span
      className={showPhoto ? 'avatar has-photo' : 'avatar'}
      aria-hidden="true"
      style={{
        width: size,
        height: size,
        fontSize: Math.round(size * 0.4),
        background: avatarColor(id),
      }}
    >
      {showPhoto ? (
        <img
          className="avatar-photo"
          src={photoUrl(photo, large ? 'large' : 'small')}
          alt=""
          width={size}
          height={size}
          loading="lazy"
          decoding="async"
          onError={() => setFailed(photo)}
        />
      ) : (
        initials(name)
      )}
    </span>
  );
}
