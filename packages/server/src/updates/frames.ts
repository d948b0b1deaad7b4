// The update frames, built by splicing stored JSON: an update is serialized once, when written.

const FRAME_HEAD = '{"type":"update","pts":';
const FRAME_PAYLOAD_KEY = ',"update":';

export function updateFrame(pts: number, payload: string): string {
  return `${FRAME_HEAD}${pts}${FRAME_PAYLOAD_KEY}${payload}}`;
}

/** The payload `updateFrame` wrapped, sliced out without parsing (the bus carries frames). */
export function updatePayload(frame: string, pts: number): string {
  return frame.slice(FRAME_HEAD.length + String(pts).length + FRAME_PAYLOAD_KEY.length, -1);
}

/** One frame for a page of catch-up: the stored JSON is spliced in, never parsed. */
export function updatesFrame(rows: readonly { pts: number; payload: string }[]): string {
  let frame = '{"type":"updates","updates":[';
  rows.forEach((row, i) => {
    frame += `${i ? ',' : ''}{"pts":${row.pts},"update":${row.payload}}`;
  });
  return `${frame}]}`;
}

/**
 * A `message.new` frame as its sender's own devices get it: with the clientMsgId the shared frame
 * leaves out (parsed and written again, for the few sessions of one user).
 */
export function withClientMsgId(frame: string, clientMsgId: string): string {
  const parsed = JSON.parse(frame) as { update: { message?: { clientMsgId?: string } } };
  if (parsed.update.message) parsed.update.message.clientMsgId = clientMsgId;
  return JSON.stringify(parsed);
}
