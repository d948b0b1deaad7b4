// Allowed: one shared room importing another.
import { queue } from '../db/queue.js';

export const bus = { queue };
