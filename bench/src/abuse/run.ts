import type { AbuseTarget } from './target.js';
import {
  codesPerAddress,
  codesPerNumber,
  groupsPerUser,
  messagesPerUser,
  signInUsers,
  strangerAdds,
  typingPerUser,
  uploadBytesPerUser,
  type AbuseFigure,
  type AbuseOptions,
} from './tries.js';

const DAY = 86_400_000;

/** Tries each abuse in turn against the target; what got through of each. */
export async function runAbuse(
  target: AbuseTarget,
  options: AbuseOptions,
  log: (line: string) => void = () => {},
): Promise<AbuseFigure[]> {
  const users = await signInUsers(target, options);
  const tries = [
    () => codesPerNumber(target, options),
    () => codesPerAddress(target, options),
    () => messagesPerUser(target, users),
    () => typingPerUser(target, users),
    () => groupsPerUser(target, users),
    () => strangerAdds(target, users),
    () => uploadBytesPerUser(target, users),
  ];
  const figures: AbuseFigure[] = [];
  for (const attempt of tries) {
    // Each abuse starts with fresh windows (they share an address, so they would share its
    // limits): a day passes between them when the clock can be stepped.
    if (target.clock && figures.length > 0) await target.pass(DAY);
    const figure = await attempt();
    log(`${figure.abuse}: ${figure.gotThrough} of ${figure.tried}`);
    figures.push(figure);
  }
  return figures;
}
