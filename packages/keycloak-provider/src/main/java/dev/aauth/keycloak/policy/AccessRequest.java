package dev.aauth.keycloak.policy;

import java.util.List;

/**
 * What the token request asks for, after all token checks.
 *
 * @param audience the resource id, or the agent id for self-access
 * @param selfAccess true when no resource token was given (scope-only request)
 * @param scopes requested scopes (space-separated list split, duplicates removed, order kept)
 * @param upstreamSubject the local user carried from another agent's token (upstream or subject token), or
 *                        of the token being refreshed; null when no user is known yet
 */
public record AccessRequest(String agentId, String audience, boolean selfAccess, List<String> scopes, String upstreamSubject) {
}
