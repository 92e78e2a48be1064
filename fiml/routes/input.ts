import type { FastifyRequest } from 'fastify';
import { ZodError, type z } from 'zod';
import { BadRequestError, HttpError } from '../errors.js';

/** Largest JSON body read from a GET request, in bytes (POST bodies use fastify's limit). */
const MAX_GET_BODY = 1024 * 1024;

/**
 * Fastify does not parse bodies of GET requests; the MCP tools accept a JSON body on GET too,
 * so it is read here.
 */
export async function readGetBody(request: FastifyRequest): Promise<void> {
  if (request.method !== 'GET') return;
  const length = request.headers['content-length'];
  if (
    (length === undefined || length === '0') &&
    request.headers['transfer-encoding'] === undefined
  )
    return;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw) {
    size += (chunk as Buffer).length;
    if (size > MAX_GET_BODY)
      throw new HttpError(413, 'payload_too_large', `body is larger than ${MAX_GET_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return;
  const type = request.headers['content-type'] ?? 'application/json';
  if (!type.includes('json')) {
    throw new HttpError(415, 'unsupported_media_type', `a GET body must be JSON, got ${type}`);
  }
  try {
    request.body = JSON.parse(text);
  } catch {
    throw new BadRequestError('body', 'is not valid JSON');
  }
}

function lookup(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Query parameters and JSON body merged (the body wins), validated by `schema`. @throws BadRequestError */
export function parseInput<S extends z.ZodType>(request: FastifyRequest, schema: S): z.output<S> {
  const body = request.body;
  if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) {
    throw new BadRequestError('body', 'must be a JSON object');
  }
  const raw = { ...(request.query as object), ...(body as object | undefined) };
  try {
    return schema.parse(raw);
  } catch (error) {
    if (!(error instanceof ZodError)) throw error;
    const issue = error.issues[0]!;
    const field = issue.path.map(String).join('.') || 'body';
    const message =
      issue.path.length > 0 && lookup(raw, issue.path) === undefined
        ? 'is required'
        : issue.message;
    throw new BadRequestError(field, message);
  }
}
