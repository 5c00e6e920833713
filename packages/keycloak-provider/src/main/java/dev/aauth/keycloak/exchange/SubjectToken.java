package dev.aauth.keycloak.exchange;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the exchange policy reads from a verified subject token.
 *
 * @param sub    the user: as the token says it, then the local user it resolves to (see {@link #as})
 * @param aud    the party the token was issued to
 * @param agent  on an AAuth auth token ({@code auth+jwt}): the agent it was issued to act with, which
 *               becomes the innermost actor; null on an exchanged {@code at+jwt}
 * @param act    the token's {@code act} claim, or null
 * @param mayAct the token's {@code may_act} claim, or null
 */
public record SubjectToken(String sub, String aud, String agent, JsonNode act, JsonNode mayAct) {

    /** The same token, naming the local user {@code localSub} (its own user, or the one a foreign sub is linked to). */
    public SubjectToken as(String localSub) {
        return new SubjectToken(localSub, aud, agent, act, mayAct);
    }
}
