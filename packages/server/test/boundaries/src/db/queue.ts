// Breaks "shared-knows-no-domain": db/ imports a domain.
import { send } from '../messages/send.js';

export const queue = [send];
