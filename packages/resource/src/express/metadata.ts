/**
 * Handlers for the resource's well-known documents (2026-03 §Resource Metadata), exported so an app
 * that is also an agent (call chaining, §Call Chaining Identity) can mount them next to the agent's
 * `aauth-agent.json`, or under its own paths.
 */
import type { RequestHandler } from 'express';
import { PROFILE } from '@aauth-ts/core';
import type { AAuthResource } from '../resource.js';

const CACHE = 'public, max-age=300';

/** `GET /.well-known/aauth-resource.json`. */
export function resourceMetadataHandler(resource: AAuthResource): RequestHandler {
  return function aauthResourceMetadata(_req, res) {
    res.set(PROFILE.headers.cacheControl, CACHE).json(resource.metadata);
  };
}

/** `GET {jwksPath}`: the resource token signing key, public members only. */
export function jwksHandler(resource: AAuthResource): RequestHandler {
  return function aauthResourceJwks(_req, res) {
    res.set(PROFILE.headers.cacheControl, CACHE).json(resource.jwks);
  };
}
