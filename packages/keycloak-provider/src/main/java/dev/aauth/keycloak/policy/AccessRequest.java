package dev.aauth.keycloak.policy;

import java.util.List;

/**
 * What the token request asks for, after all token checks.
 *
 * @param audience the resource id, or the agent id for self-access
 * @param selfAccess true when no resource token was given (scope-only request)
 * @param scopes requested scopes (space-separated list split, duplicates removed, order kept)
 * @param upstreamSubject {@code sub} carried by a verified upstream token, or null
 */
public record AccessRequest(String agentId, String audience, boolean selfAccess, List<String> scopes, String upstreamSubject) {
}
