/** The JSON media type (RFC 8259 §11), for bodies the agent sends and metadata it serves. */
export const JSON_MEDIA_TYPE = 'application/json';
