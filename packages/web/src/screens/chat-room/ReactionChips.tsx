import { REACTIONS, type Message, type Reaction } from '@tokki/protocol';
import { useTranslation } from 'react-i18next';
import { REACTION_EMOJI } from '../../lib/reactions';

/** Under a bubble: each reaction with how many gave it, mine marked; tapping one toggles mine. */
export function ReactionChips(props: {
  message: Message;
  myId: string;
  onReact: (message: Message, reaction: Reaction | null) => void;
}) {
  const { t, i18n } = useTranslation();
  const { message } = props;
  const given = REACTIONS.flatMap((reaction) => {
    const entry = message.reactions?.find((r) => r.reaction === reaction);
    return entry
      ? [{ reaction, count: entry.userIds.length, mine: entry.userIds.includes(props.myId) }]
      : [];
  });
  return (
    <div className="reaction-chips" role="group" aria-label={t('chat.reactionsLabel')}>
      {given.map(({ reaction, count, mine }) => (
        <button
          key={reaction}
          type="button"
          className={`reaction-chip reaction-${reaction}${mine ? ' mine' : ''}`}
          aria-pressed={mine}
          aria-label={t('chat.reactionCount', { reaction: t(`reactions.${reaction}`), count })}
          title={t('chat.reactionCount', { reaction: t(`reactions.${reaction}`), count })}
          onClick={() => props.onReact(message, mine ? null : reaction)}
        >
          <span className="reaction-emoji" aria-hidden="true">
            {REACTION_EMOJI[reaction]}
          </span>
          <span className="reaction-count" aria-hidden="true">
            {count.toLocaleString(i18n.language)}
          </span>
        </button>
      ))}
    </div>
  );
}
