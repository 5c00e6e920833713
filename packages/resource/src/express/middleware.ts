/**
 * The express adapter over `AAuthResource`: `aauth(options)` verifies every signed request and sets
 * `req.aauth`, serves the well-known documents, the pending URLs of deferred requests and (when
 * configured) the resource token endpoint, gives every route `res.aauthDefer()`, and hands
 * failures to `next(err)` (with `status` and `headers`, so even express's default handler answers
 * correctly). Per-route requirements stack after it: `requireSignature()`, `requireIdentity()`,
 * `requirePerson()` (current profile), `requireAuth({ scope })`.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AAUTH_2026_03, AAuthError, PROFILE, type ProfileName } from '@aauth-ts/core';
import { AAuthResource } from '../resource.js';
import type { ResourceOptions } from '../options.js';
import type { AAuthContext } from '../context.js';
import type { DeferOptions, Deferral } from '../deferral-store.js';
import { authRequirement, identityRequirement, personRequirement, signatureRequirement, type AuthRequirementOptions, type Requirement, type SignatureRequirementOptions } from '../requirement.js';
import { fromNodeRequest, hasBody, readBody } from '../neutral/node-request.js';
import { jwksHandler, resourceMetadataHandler } from './metadata.js';
import { sendAnswer } from './send-answer.js';
import './types.js';

/**
 * What `aauth()` notes on a request: the resource that handled it, the wire profile it is answered
 * in (see `AAuthResource.profileOf`), when it was first seen (`performance.now()`; decisions are
 * timed from it) and the verified context, which the `require…()` handlers read from here rather
 * than from `req.aauth`.
 *
 * Kept beside the request, not on it. Express 5 gives every request its own hidden class (it sets
 * the prototype of `req` and `res` per request), so each property read on them is a look-up in the
 * engine's runtime, and each property added starts a new class that every later read pays for
 * again. One entry here costs a hash insert and no look-up on `req`, and `aauth()` adds no
 * property to a request or a response (see `equip`).
 */
interface Handled {
  readonly resource: AAuthResource;
  readonly profile: ProfileName;
  readonly started: number;
  context: AAuthContext | undefined;
}
const handled = new WeakMap<Request, Handled>();

/** The `AAuthResource` of the `aauth()` that handled `req`, if any. */
export function resourceOf(req: Request): AAuthResource | undefined {
  return handled.get(req)?.resource;
}

/** The profile `req` is answered in: the one `aauth()` decided, else the default 2026-03. */
export function profileOf(req: Request): ProfileName {
  return handled.get(req)?.profile ?? AAUTH_2026_03.name;
}

/** The request property `aauth()` answers with the verified context. */
const CONTEXT_PROPERTY = 'aauth'; // wire-literal-ok: the request property, not the header

/** `req.aauth`: the context noted for this request (see `Handled`). */
function aauthContext(this: Request): AAuthContext | undefined {
  return handled.get(this)?.context;
}

/** Assigning `req.aauth` keeps the value on that request, as a plain property would. */
function setAauthContext(this: Request, value: AAuthContext | undefined): void {
  Object.defineProperty(this, CONTEXT_PROPERTY, { value, writable: true, enumerable: true, configurable: true });
}

/** The descriptor `name` has on `object` or the nearest prototype that has it. */
function descriptorOf(object: object, name: string): PropertyDescriptor | undefined {
  for (let o: object | null = object; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(o, name);
    if (descriptor !== undefined) return descriptor;
  }
  return undefined;
}

/**
 * A member `aauth()` gives a prototype: its name and descriptor, node's own prototype it must never
 * go on, and the prototypes that already carry it (own or inherited), each member its own.
 */
interface Member {
  readonly name: string;
  readonly descriptor: PropertyDescriptor;
  readonly nodes: object;
  readonly equipped: WeakSet<object>;
}

/**
 * `req.aauth` and `res.aauthDefer`, defined once on the request and response prototypes of each
 * express app `aauth()` serves (express's per-app `app.request` and `app.response`, which mounted
 * sub-apps inherit) instead of on every request and response (see `Handled`). False, and nothing
 * defined, where the prototype is node's own (`IncomingMessage.prototype`,
 * `ServerResponse.prototype`: all of the process shares them), cannot be extended, or already has
 * a member of that name that is not this one: the caller then sets a property of its own.
 */
function equip(target: object, member: Member): boolean {
  const prototype = Object.getPrototypeOf(target) as object | null;
  if (prototype === null) return false;
  if (member.equipped.has(prototype)) return true;
  if (prototype === member.nodes || !Object.isExtensible(prototype)) return false;
  const existing = descriptorOf(prototype, member.name);
  if (existing !== undefined) {
    const ours = existing.value === member.descriptor.value && existing.get === member.descriptor.get;
    if (ours) member.equipped.add(prototype);
    return ours;
  }
  Object.defineProperty(prototype, member.name, member.descriptor);
  member.equipped.add(prototype);
  return true;
}

const CONTEXT_MEMBER: Member = {
  name: CONTEXT_PROPERTY, descriptor: { get: aauthContext, set: setAauthContext, enumerable: false, configurable: true }, nodes: IncomingMessage.prototype, equipped: new WeakSet(),
};
const DEFER_MEMBER: Member = {
  name: 'aauthDefer', descriptor: { value: aauthDefer, writable: true, enumerable: false, configurable: true }, nodes: ServerResponse.prototype, equipped: new WeakSet(),
};

export interface ExpressOptions {
  /** Answer `GET` for `/.well-known/aauth-resource.json` and the JWKS path. Default true. */
  readonly serveMetadata?: boolean;
}

export interface AAuthMiddleware extends RequestHandler {
  /** The framework-neutral resource behind this middleware. */
  readonly resource: AAuthResource;
  requireSignature(options?: SignatureRequirementOptions): RequestHandler;
  requireIdentity(options?: SignatureRequirementOptions): RequestHandler;
  requirePerson(options?: SignatureRequirementOptions): RequestHandler;
  requireAuth(options?: AuthRequirementOptions): RequestHandler;
}

type Endpoint = { readonly kind: 'resourceToken' } | { readonly kind: 'pending'; readonly id: string };

/** `Prefer: wait=N` (RFC 7240 §4.3), seconds; 0 when absent or malformed. */
function preferWait(req: Request): number {
  const match = /(?:^|[,;\s])wait=(\d{1,6})(?:$|[,;\s])/i.exec(req.get(PROFILE.headers.prefer) ?? '');
  return match ? Number(match[1]) : 0;
}

/** A `405` naming the one method an endpoint takes. */
function methodNotAllowed(allowed: string): AAuthError {
  return new AAuthError('invalid_request', `this endpoint takes ${allowed} only`, { reason: 'method' }, { status: 405, headers: { Allow: allowed } });
}

async function bodyOf(req: Request, maxBytes: number): Promise<Buffer | undefined> {
  if (req.rawBody !== undefined) return req.rawBody.length > 0 ? req.rawBody : undefined;
  if (!hasBody(req)) return undefined;
  if (req.readableEnded || req.body !== undefined) {
    // A body parser consumed the stream without keeping the bytes: Content-Digest cannot be checked.
    throw new Error('aauth(): the request body was parsed before aauth() without keeping its bytes; mount aauth() first or use express.json({ verify: captureRawBody })');
  }
  const body = await readBody(req, maxBytes);
  req.rawBody = body;
  return body.length > 0 ? body : undefined;
}

/**
 * `res.aauthDefer()`: one function for every response (a method reading its own response), not a
 * closure made per request.
 */
function aauthDefer(this: Response, deferOptions?: DeferOptions): Deferral {
  const note = handled.get(this.req);
  if (note === undefined) throw new Error('aauth: res.aauthDefer() on a request aauth() did not handle');
  const { deferral, answer } = note.resource.defer(note.context, deferOptions);
  sendAnswer(this, answer);
  return deferral;
}

export function aauth(options: ResourceOptions | AAuthResource, expressOptions: ExpressOptions = {}): AAuthMiddleware {
  const resource = options instanceof AAuthResource ? options : new AAuthResource(options);
  const serveMetadata = expressOptions.serveMetadata ?? true;
  if (typeof serveMetadata !== 'boolean') throw new TypeError('aauth: "serveMetadata" must be a boolean');
  const protocol = resource.options.origin.protocol;
  const { jwksPath, maxBodyBytes } = resource.options;
  const metadataPath = resource.metadataPath;
  const serveResourceMetadata = resourceMetadataHandler(resource);
  const serveJwks = jwksHandler(resource);
  const { resourceTokenPath, pendingPath } = resource.options;
  const pendingPrefix = `${pendingPath}/`;

  /** `path` is `req.path`, read once per request (express parses the URL behind that getter). */
  const endpointOf = (path: string): Endpoint | undefined => {
    if (resourceTokenPath !== undefined && path === resourceTokenPath) return { kind: 'resourceToken' };
    if (path.startsWith(pendingPrefix) && path.length > pendingPrefix.length) return { kind: 'pending', id: path.slice(pendingPrefix.length) };
    return undefined;
  };

  /** §Resource Token Endpoint (POST) and §Polling with GET, after verification. */
  const serveEndpoint = async (endpoint: Endpoint, note: Handled, req: Request, res: Response): Promise<void> => {
    if (endpoint.kind === 'resourceToken') {
      if (req.method !== 'POST') throw methodNotAllowed('POST');
      sendAnswer(res, await resource.resourceTokenRequest(note.context, req.rawBody));
      return;
    }
    if (req.method !== 'GET') throw methodNotAllowed('GET');
    sendAnswer(res, await resource.poll(note.context, endpoint.id, preferWait(req)));
  };

  /** After verification: the context noted and on `req`, then the route, or this middleware's own endpoint. */
  const proceed = (context: AAuthContext | undefined, endpoint: Endpoint | undefined, note: Handled, req: Request, res: Response, next: NextFunction): void => {
    if (context !== undefined) {
      note.context = context;
      if (!equip(req, CONTEXT_MEMBER)) req.aauth = context;
    }
    if (endpoint === undefined) return void next();
    serveEndpoint(endpoint, note, req, res).catch(next);
  };

  const middleware = function aauthMiddleware(req, res, next) {
    const started = performance.now();
    const note: Handled = { resource, profile: resource.profileOf(req), started, context: undefined };
    handled.set(req, note);
    const { method, path } = req;
    if (serveMetadata && (method === 'GET' || method === 'HEAD')) {
      if (path === metadataPath) return void serveResourceMetadata(req, res, next);
      if (path === jwksPath) return void serveJwks(req, res, next);
    }
    if (!equip(res, DEFER_MEMBER)) res.aauthDefer = aauthDefer;
    const endpoint = endpointOf(path);
    if (!AAuthResource.isSigned(req)) {
      if (endpoint === undefined) return void next();
      return void serveEndpoint(endpoint, note, req, res).catch(next);
    }
    // A request that announces no body (most GETs; RFC 9112 §6.3) is verified at once, not after a
    // body read that finds nothing; with its token's verdict cached it goes on to the route without
    // a promise.
    if (!hasBody(req)) {
      let context: ReturnType<AAuthResource['verifyNow']>;
      try {
        context = resource.verifyNow(fromNodeRequest(req, { protocol, target: req.originalUrl }), started);
      } catch (err) {
        return void next(err);
      }
      if (!(context instanceof Promise)) return void proceed(context, endpoint, note, req, res, next);
      return void context.then((c) => proceed(c, endpoint, note, req, res, next)).catch(next);
    }
    bodyOf(req, maxBodyBytes)
      .then((body) => resource.verifyNow(fromNodeRequest(req, { protocol, target: req.originalUrl, ...(body === undefined ? {} : { body }) }), started))
      .then((c) => proceed(c, endpoint, note, req, res, next))
      .catch(next);
  } as RequestHandler as AAuthMiddleware;

  const bound = (requirement: Requirement): RequestHandler => requirementHandler(requirement, resource);
  return Object.assign(middleware, {
    resource,
    requireSignature: (o?: SignatureRequirementOptions) => bound(signatureRequirement(o)),
    requireIdentity: (o?: SignatureRequirementOptions) => bound(identityRequirement(o)),
    requirePerson: (o?: SignatureRequirementOptions) => bound(personRequirement(o)),
    requireAuth: (o?: AuthRequirementOptions) => bound(authRequirement(o)),
  });
}

function requirementHandler(requirement: Requirement, fixed?: AAuthResource): RequestHandler {
  return function aauthRequirement(req, _res, next) {
    const note = handled.get(req);
    const resource = fixed ?? note?.resource;
    if (resource === undefined) {
      next(new Error('aauth: a require…() middleware ran before aauth(); mount aauth() first'));
      return;
    }
    // Decided at once when no resource token must be minted: no promise on a granted request.
    let pending: void | Promise<void>;
    try {
      pending = resource.authorizeNow(note?.context, requirement, note?.started);
    } catch (err) {
      return void next(err);
    }
    if (pending instanceof Promise) pending.then(() => next(), next);
    else next();
  };
}

/** A signed request (any scheme; `hwk` is enough). Answers `401 require=pseudonym` otherwise. */
export function requireSignature(options?: SignatureRequirementOptions): RequestHandler {
  return requirementHandler(signatureRequirement(options));
}

/** An identified agent (agent token, `jwks_uri`, or an auth token). Answers `401 require=identity` otherwise. */
export function requireIdentity(options?: SignatureRequirementOptions): RequestHandler {
  return requirementHandler(identityRequirement(options));
}

/**
 * The person (current profile, draft-hardt-oauth-aauth-protocol §Person Identity Access): a person
 * token, or an auth token, from a trusted issuer. Answers `401 requirement=person-token` otherwise.
 * In the 2026-03 profile: an auth token that names the user (`sub`).
 */
export function requirePerson(options?: SignatureRequirementOptions): RequestHandler {
  return requirementHandler(personRequirement(options));
}

/** An auth token from a trusted auth server granting `scope`. Answers `401 require=auth-token` (or `require=identity`) otherwise. */
export function requireAuth(options?: AuthRequirementOptions): RequestHandler {
  return requirementHandler(authRequirement(options));
}
