import { Type, type TSchema } from '@sinclair/typebox';
import { LIMITS } from '../limits.js';
import { Id } from '../models.js';

/** How each method is described, and the schema pieces several namespaces share. */
export interface MethodSpec {
  params: TSchema;
  result: TSchema;
  /** False only for the sign-in flow. */
  auth: boolean;
  summary: string;
}

export const method = <P extends TSchema, R extends TSchema>(spec: {
  params: P;
  result: R;
  auth?: boolean;
  summary: string;
}) => ({ auth: true, ...spec }) satisfies MethodSpec;

export const Empty = Type.Object({}, { additionalProperties: false });
export const Ok = Type.Object({});
export const Cursor = Type.String({ maxLength: 256 });

export const Params = <T extends Parameters<typeof Type.Object>[0]>(properties: T) =>
  Type.Object(properties, { additionalProperties: false });

export const Phone = Type.String({ minLength: 3, maxLength: 32 });
export const InviteToken = Type.String({ minLength: 1, maxLength: 64 });
/** Checked again once trimmed: it must not be blank, and is counted in code points. */
export const Nickname = Type.String({ minLength: 1, maxLength: LIMITS.NICKNAME_MAX * 2 });
export const MemberLimit = Type.Integer({ minimum: 2, maximum: LIMITS.GROUP_MEMBERS_MAX });
/** An open chat by id (listed ones) or by invite token (any): one of the two, not both. */
export const OpenChatRef = <T extends Parameters<typeof Type.Object>[0]>(properties: T) =>
  Type.Union([
    Params({ chatId: Id, ...properties }),
    Params({ token: InviteToken, ...properties }),
  ]);
export const Text = (max: number) => Type.String({ maxLength: max });
