/**
 * How the API turns errors into responses: always `{ error: { code, message } }` with a
 * 4xx/5xx status, never a stack trace. KairosError codes map to statuses here, in one
 * place; fastify's own errors (bad JSON, body too large, schema validation) keep their
 * status and get a Kairos code.
 */
import type { Socket } from 'node:net';
import { stripUrlCredentials } from '../core/url-credentials.js';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { KairosError, type ErrorCode } from '../core/errors.js';
import type { Logger } from '../ports/logger.js';

/** The JSON body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string };
}

/** An error that carries its HTTP status, for conditions that are not domain errors (401, 403, 429). */
export class HttpError extends KairosError {
  readonly status: number;
  readonly httpCode: string;
  constructor(status: number, httpCode: string, message: string, code: ErrorCode = 'E_INVALID') {
    super(code, message);
    this.status = status;
    this.httpCode = httpCode;
    this.name = 'HttpError';
  }
}

const statusOfCode: Partial<Record<ErrorCode, number>> = {
  E_NOT_FOUND: 404,
  E_INVALID: 400,
  E_MANIFEST: 422,
  E_SCHEDULE: 400,
  E_CONFLICT: 409,
  E_MASS_PRUNE: 409,
  E_REWIND: 409,
  E_FENCED: 503,
  E_UNAVAILABLE: 503,
  E_SOURCE: 502,
  E_MESOS: 502,
};

/** Status and body for any thrown value. Unknown errors become a bare 500 `E_INTERNAL`. */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof HttpError) return { status: err.status, body: { error: { code: err.httpCode, message: err.message } } };
  if (err instanceof KairosError) {
    // Source errors quote the repository URL; a deploy token in it is no viewer's business.
    return { status: statusOfCode[err.code] ?? 500, body: { error: { code: err.code, message: stripUrlCredentials(err.message) } } };
  }
  const fe = err as Partial<FastifyError>;
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = fe.statusCode === 413 ? 'E_TOO_LARGE' : fe.statusCode === 415 ? 'E_MEDIA_TYPE' : 'E_INVALID';
    return { status: fe.statusCode, body: { error: { code, message: fe.message ?? 'bad request' } } };
  }
  return { status: 500, body: { error: { code: 'E_INTERNAL', message: 'internal error (see the controller log)' } } };
}

/** A fastify error handler writing `toErrorResponse`, logging 5xx without stack traces. */
export function errorHandler(logger: Logger) {
  return (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorResponse(err);
    if (status >= 500) {
      logger.error('api request failed', { method: req.method, url: req.routeOptions.url ?? req.url, code: body.error.code, error: (err as Error)?.message });
    }
    if (status === 503 && !(err instanceof HttpError)) reply.header('retry-after', '1');
    return reply.status(status).send(body);
  };
}

/** Throws a 404 naming what was not found, so a typo is obvious to the user. */
export function notFound(what: 'job' | 'run', name: string): never {
  throw new KairosError('E_NOT_FOUND', `no ${what} named ${JSON.stringify(name)}`);
}

/** Throws a 400 with a message naming the field. */
export function invalid(field: string, message: string): never {
  throw new KairosError('E_INVALID', `${field}: ${message}`);
}

/**
 * Parses an optional integer query parameter written in plain decimal digits (so `1e3`, `0x10`,
 * ` ` and `-1` are refused rather than read as numbers); 400 naming the field when out of range.
 */
export function intParam(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = /^\d{1,16}$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) invalid(name, `must be an integer from ${min} to ${max}`);
  return n;
}

/**
 * Fastify's `clientErrorHandler`: requests Node's HTTP parser rejects before any route sees them
 * (an unknown method, a non-numeric Content-Length, oversized headers, a request timeout) get
 * the same `{error: {code, message}}` body as every other error, then the socket is closed.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'the request was not received in time']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'the request headers are too large']
        : [400, 'Bad Request', 'the request is not valid HTTP (method, headers or Content-Length)'];
  const body = JSON.stringify({ error: { code: status === 400 ? 'E_INVALID' : status === 431 ? 'E_TOO_LARGE' : 'E_TIMEOUT', message } });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}
