import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Local fakes of the SMS gateways Tokki's adapters talk to (packages/server/src/accounts/sms-*.ts).
 * Each checks every request as its provider documents it — URL, credentials, signature recomputed
 * here with node:crypto, body — and answers with the provider's documented bodies: success, a
 * refused number (4xx), and on demand server errors (5xx) or silence (a timeout). A request that
 * breaks the documented format is answered as the provider would (401/400) and kept in `problems`,
 * which a test expects to stay empty.
 */
export interface FakeSmsGateway extends AsyncDisposable {
  /** Where the adapter should send: the provider's base URL (Twilio, SENS) or endpoint (http). */
  url: string;
  /** The server's `sms` config block that points at this fake. */
  config: Record<string, string | number>;
  /** Messages accepted: recipient as the provider takes it, and the text. */
  texted: { to: string; text: string }[];
  /** Requests that broke the provider's documented format, and why. */
  problems: string[];
  /** How many requests arrived, good or bad. */
  requests: number;
  /** Numbers (E.164) the provider refuses to text, answering its documented 4xx. */
  refuse: Set<string>;
  /** Answers for the next requests, in order, before going back to normal: a 5xx, or silence. */
  failNext(...answers: (number | 'hang')[]): void;
  /** The last code texted to an E.164 number. */
  codeFor(e164: string): string | undefined;
  close(): Promise<void>;
}

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Answer = { status: number; body: unknown };

/** What a fake makes of one well-timed request: its answer, after any documented checks. */
type Handler = (request: Received, fake: FakeSmsGateway) => Answer;

async function startFake(
  configOf: (url: string) => Record<string, string | number>,
  handle: Handler,
  toE164: (to: string) => string,
): Promise<FakeSmsGateway> {
  const queued: (number | 'hang')[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      fake.requests++;
      const next = queued.shift();
      if (next === 'hang') {
        hanging.add(res);
        return;
      }
      const answer: Answer =
        next !== undefined
          ? { status: next, body: { status: next, message: 'Internal Server Error' } }
          : handle(
              {
                method: req.method ?? '',
                path: req.url ?? '',
                headers: req.headers,
                body: Buffer.concat(chunks).toString('utf8'),
              },
              fake,
            );
      if (answer.body === null) {
        res.writeHead(answer.status).end();
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const fake: FakeSmsGateway = {
    url,
    config: configOf(url),
    texted: [],
    problems: [],
    requests: 0,
    refuse: new Set(),
    failNext: (...answers) => queued.push(...answers),
    codeFor: (e164) =>
      fake.texted
        .filter((m) => toE164(m.to) === e164)
        .map((m) => /\b(\d{6})\b/.exec(m.text)?.[1])
        .at(-1),
    close,
    [Symbol.asyncDispose]: close,
  };
  return fake;
}

const safeEqual = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Twilio Programmable Messaging, "Create a Message resource": POST
 * /2010-04-01/Accounts/{AccountSid}/Messages.json, HTTP Basic auth, form-encoded To, From or
 * MessagingServiceSid, Body. 201 with the Message resource; errors `{code, message, more_info,
 * status}` (20003 authentication, 21211 invalid 'To', 21604 'Body' required).
 */
export function startFakeTwilio(
  options: { accountSid?: string; authToken?: string; from?: string } = {},
): Promise<FakeSmsGateway> {
  const accountSid = options.accountSid ?? `AC${randomBytes(16).toString('hex')}`;
  const authToken = options.authToken ?? randomBytes(16).toString('hex');
  const from = options.from ?? '+15005550006';
  const error = (status: number, code: number, message: string): Answer => ({
    status,
    body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  });
  return startFake(
    (url) => ({ provider: 'twilio', baseUrl: url, accountSid, authToken, from }),
    (req, fake) => {
      const path = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
      const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
      if (!safeEqual(req.headers.authorization ?? '', expected)) {
        fake.problems.push('twilio: wrong or missing Basic credentials');
        return error(401, 20003, 'Authenticate');
      }
      if (req.method !== 'POST' || req.path !== path) {
        fake.problems.push(`twilio: ${req.method} ${req.path}`);
        return error(404, 20404, 'The requested resource was not found');
      }
      if (!req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
        fake.problems.push(`twilio: content-type ${req.headers['content-type']}`);
      }
      const form = new URLSearchParams(req.body);
      const to = form.get('To') ?? '';
      const body = form.get('Body');
      if (form.get('From') !== from && !form.get('MessagingServiceSid')) {
        fake.problems.push(`twilio: From ${form.get('From')}`);
        return error(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required");
      }
      if (!body) {
        fake.problems.push('twilio: no Body');
        return error(400, 21604, 'A text message Body or Media URL must be specified.');
      }
      if (!/^\+[1-9]\d{6,14}$/.test(to) || fake.refuse.has(to)) {
        if (!/^\+[1-9]\d{6,14}$/.test(to)) fake.problems.push(`twilio: To ${to}`);
        return error(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
      }
      fake.texted.push({ to, text: body });
      const sid = `SM${randomBytes(16).toString('hex')}`;
      const now = new Date().toUTCString().replace('GMT', '+0000');
      return {
        status: 201,
        body: {
          account_sid: accountSid,
          api_version: '2010-04-01',
          body,
          date_created: now,
          date_sent: null,
          date_updated: now,
          direction: 'outbound-api',
          error_code: null,
          error_message: null,
          from,
          messaging_service_sid: form.get('MessagingServiceSid'),
          num_media: '0',
          num_segments: '1',
          price: null,
          price_unit: 'USD',
          sid,
          status: 'queued',
          subresource_uris: {
            media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json`,
          },
          to,
          uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
        },
      };
    },
    (to) => to,
  );
}

/**
 * NAVER Cloud SENS, SMS API v2 "메시지 발송": POST /sms/v2/services/{serviceId}/messages, signed
 * with x-ncp-apigw-timestamp (ms, within 5 minutes), x-ncp-iam-access-key and
 * x-ncp-apigw-signature-v2 = base64 HMAC-SHA256(secretKey, "POST {path}\n{timestamp}\n{accessKey}").
 * Body `{type, contentType, countryCode, from, content, messages: [{to}]}`, numbers digits only,
 * Korean ones in domestic form (010…). 202 `{requestId, requestTime, statusCode: "202",
 * statusName: "success"}`; the API Gateway's errors `{error: {errorCode, message, details}}`.
 */
export function startFakeSens(
  options: { serviceId?: string; accessKey?: string; secretKey?: string; from?: string } = {},
): Promise<FakeSmsGateway> {
  const serviceId = options.serviceId ?? `ncp:sms:kr:${Date.now()}:tokki`;
  const accessKey = options.accessKey ?? randomBytes(10).toString('hex').toUpperCase();
  const secretKey = options.secretKey ?? randomBytes(20).toString('hex');
  const from = options.from ?? '0215880000';
  const error = (status: number, errorCode: string, message: string): Answer => ({
    status,
    body: { error: { errorCode, message, details: message } },
  });
  const toE164 = (to: string) => (to.startsWith('0') ? `+82${to.slice(1)}` : `+${to}`);
  return startFake(
    (url) => ({ provider: 'sens', baseUrl: url, serviceId, accessKey, secretKey, from }),
    (req, fake) => {
      const timestamp = String(req.headers['x-ncp-apigw-timestamp'] ?? '');
      const signature = String(req.headers['x-ncp-apigw-signature-v2'] ?? '');
      const expected = createHmac('sha256', secretKey)
        .update(`${req.method} ${req.path}\n${timestamp}\n${accessKey}`)
        .digest('base64');
      if (req.headers['x-ncp-iam-access-key'] !== accessKey || !safeEqual(signature, expected)) {
        fake.problems.push('sens: wrong access key or signature');
        return error(401, '200', 'Authentication Failed');
      }
      if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() - Number(timestamp)) > 5 * 60_000) {
        fake.problems.push(`sens: timestamp ${timestamp}`);
        return error(401, '210', 'Timestamp expired');
      }
      if (req.method !== 'POST' || req.path !== `/sms/v2/services/${serviceId}/messages`) {
        fake.problems.push(`sens: ${req.method} ${req.path}`);
        return error(404, '300', 'Not Found');
      }
      if (!req.headers['content-type']?.startsWith('application/json')) {
        fake.problems.push(`sens: content-type ${req.headers['content-type']}`);
      }
      let body: {
        type?: unknown;
        from?: unknown;
        content?: unknown;
        countryCode?: unknown;
        messages?: { to?: unknown }[];
      };
      try {
        body = JSON.parse(req.body) as typeof body;
      } catch {
        fake.problems.push('sens: body is not JSON');
        return error(400, '400', 'Bad Request');
      }
      const to = body.messages?.[0]?.to;
      const wellFormed =
        body.type === 'SMS' &&
        body.from === from &&
        typeof body.content === 'string' &&
        body.messages?.length === 1 &&
        typeof to === 'string' &&
        /^\d+$/.test(to) &&
        (body.countryCode === undefined || body.countryCode === '82'
          ? /^01\d{8,9}$/.test(to)
          : typeof body.countryCode === 'string' && /^\d{1,3}$/.test(body.countryCode));
      if (!wellFormed) {
        fake.problems.push(`sens: body ${req.body}`);
        return error(400, '400', 'Bad Request');
      }
      const recipient =
        body.countryCode && body.countryCode !== '82' ? `${body.countryCode}${to}` : to;
      if (fake.refuse.has(toE164(recipient))) return error(400, '400', 'Invalid recipient');
      fake.texted.push({ to: recipient, text: body.content as string });
      return {
        status: 202,
        body: {
          requestId: `RSSA-${randomUUID()}`,
          requestTime: new Date().toISOString().slice(0, 23),
          statusCode: '202',
          statusName: 'success',
        },
      };
    },
    toE164,
  );
}

/**
 * An operator's endpoint for the generic `http` provider: checks the Standard Webhooks signature
 * (webhook-id, webhook-timestamp within 5 minutes, webhook-signature "v1,<base64 HMAC-SHA256 of
 * id.timestamp.body with the base64-decoded whsec_ secret>") and the JSON payload. 204 on
 * success, 400 `{error}` for a refused number, 401 for a bad signature.
 */
export function startFakeSmsWebhook(): Promise<FakeSmsGateway> {
  const key = randomBytes(32);
  const secret = `whsec_${key.toString('base64')}`;
  return startFake(
    (url) => ({ provider: 'http', url: `${url}/sms`, secret }),
    (req, fake) => {
      const id = String(req.headers['webhook-id'] ?? '');
      const timestamp = String(req.headers['webhook-timestamp'] ?? '');
      const expected = createHmac('sha256', key)
        .update(`${id}.${timestamp}.${req.body}`)
        .digest('base64');
      const signatures = String(req.headers['webhook-signature'] ?? '').split(' ');
      if (!id || !signatures.some((s) => safeEqual(s, `v1,${expected}`))) {
        fake.problems.push('http: missing id or wrong signature');
        return { status: 401, body: { error: 'bad signature' } };
      }
      if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) {
        fake.problems.push(`http: timestamp ${timestamp}`);
        return { status: 401, body: { error: 'stale timestamp' } };
      }
      if (req.method !== 'POST' || req.path !== '/sms') {
        fake.problems.push(`http: ${req.method} ${req.path}`);
        return { status: 404, body: { error: 'not found' } };
      }
      let payload: { type?: unknown; data?: { to?: unknown; code?: unknown; text?: unknown } };
      try {
        payload = JSON.parse(req.body) as typeof payload;
      } catch {
        fake.problems.push('http: body is not JSON');
        return { status: 400, body: { error: 'not JSON' } };
      }
      const { to, code, text } = payload.data ?? {};
      if (
        payload.type !== 'sign_in_code' ||
        typeof to !== 'string' ||
        typeof code !== 'string' ||
        typeof text !== 'string' ||
        !text.includes(code)
      ) {
        fake.problems.push(`http: payload ${req.body}`);
        return { status: 400, body: { error: 'bad payload' } };
      }
      if (fake.refuse.has(to)) return { status: 422, body: { error: 'number refused' } };
      fake.texted.push({ to, text });
      return { status: 204, body: null };
    },
    (to) => to,
  );
}
