package dev.aauth.keycloak.remote;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aauth.keycloak.signature.PublicJwk;

/**
 * Key discovery for agents, resources and other issuers (draft-hardt-aauth c465b2d §Metadata,
 * wire notes §2.4): {@code {id}/.well-known/{document}} → {@code jwks_uri} → the key named by {@code kid}.
 * An unknown {@code kid} triggers one forced refresh of the JWKS (key rotation), subject to the
 * fetcher's cool-down.
 */
public final class KeyDiscovery {

    private final RemoteJsonFetcher fetcher;

    public KeyDiscovery(RemoteJsonFetcher fetcher) {
        this.fetcher = fetcher;
    }

    public RemoteJsonFetcher fetcher() {
        return fetcher;
    }

    /**
     * @param id the identifier URL (agent token {@code iss}, resource token {@code iss}, issuer)
     * @param document metadata document name, e.g. {@code aauth-agent.json}
     * @param idMember the metadata member that must be present and equal {@code id} ({@code agent}, {@code resource}, {@code issuer})
     * @param kid key id from the JWT header or Signature-Key; null means "the only key"
     */
    public PublicJwk findKey(String id, String document, String idMember, String kid) throws RemoteJsonFetcher.FetchException {
        String base = id.endsWith("/") ? id.substring(0, id.length() - 1) : id;
        String metadataUrl = base + "/.well-known/" + document;
        JsonNode metadata = fetcher.get(metadataUrl, false);
        // The document must name the identifier it was fetched for (RFC 8414 §3.3 style): one that
        // names nobody, or another party, could be any document served from that host.
        JsonNode declared = metadata.get(idMember);
        if (declared == null || !declared.isTextual() || !declared.asText().equals(id)) {
            throw new RemoteJsonFetcher.FetchException(RemoteJsonFetcher.Reason.INVALID_DOCUMENT, "The " + document + " of '" + id + "' does not name '" + id + "' in '" + idMember + "'.");
        }
        JsonNode jwksUri = metadata.get("jwks_uri");
        if (jwksUri == null || !jwksUri.isTextual()) {
            throw new RemoteJsonFetcher.FetchException(RemoteJsonFetcher.Reason.INVALID_DOCUMENT, "The " + document + " of '" + id + "' has no jwks_uri.");
        }
        String jwksUrl = jwksUri.asText();
        PublicJwk key = select(fetcher.get(jwksUrl, false), kid);
        if (key == null) {
            key = select(fetcher.get(jwksUrl, true), kid);
        }
        if (key == null) {
            throw new RemoteJsonFetcher.FetchException(RemoteJsonFetcher.Reason.UNKNOWN_KEY, "No usable key " + (kid == null ? "" : "'" + kid + "' ") + "in the JWKS of '" + id + "'.");
        }
        return key;
    }

    /** The key with this {@code kid}; without a kid, the key only if the set holds exactly one. */
    public static PublicJwk select(JsonNode jwks, String kid) {
        JsonNode keys = jwks.get("keys");
        if (keys == null || !keys.isArray()) {
            return null;
        }
        JsonNode match = null;
        int count = 0;
        for (JsonNode k : keys) {
            if (!k.isObject()) {
                continue;
            }
            JsonNode use = k.get("use");
            if (use != null && !"sig".equals(use.asText())) {
                continue;
            }
            count++;
            JsonNode id = k.get("kid");
            if (kid != null && id != null && kid.equals(id.asText())) {
                match = k;
                break;
            }
            if (kid == null) {
                match = k;
            }
        }
        if (match == null || (kid == null && count != 1)) {
            return null;
        }
        try {
            return PublicJwk.parse(match);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
