package dev.aauth.keycloak.person;

import dev.aauth.keycloak.pending.PendingStore;
import org.keycloak.common.util.Base64Url;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.SingleUseObjectProvider;
import org.keycloak.models.UserModel;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;

/**
 * The Person Server's state (draft-hardt-oauth-aauth-protocol §Person Token Endpoint retention,
 * §Mission Management, §Agent-Person Binding, §Deferred Responses):
 * <ul>
 *   <li>pending requests, interaction codes and review-form tokens: the provider's {@link PendingStore};</li>
 *   <li>missions ({@code aauth:mission:}), kept until their {@code expires_at} plus a day, person-token
 *       records ({@code aauth:pt:}), kept past the token's {@code exp} by the longest resource-token
 *       lifetime this PS accepts, and answered pending URLs ({@code aauth:ps-done:}, so they say 410):
 *       Keycloak's single-use object store, cluster-wide, namespaced by realm id, attacker-chosen
 *       values hashed;</li>
 *   <li>the agent-person binding: user attribute {@code aauth.agentBinding}, one value
 *       {@code "{provider} {agent}"} per agent bound to that user (an administrator may set it ahead
 *       of time), in the database, so it survives restarts and one agent is found on exactly one user;</li>
 *   <li>the person's approval of person tokens for an agent at a resource ({@code aauth:ps-approved:});</li>
 *   <li>the reverse index of directed subjects (§Upstream Token Verification: the person an
 *       {@code upstream_token} names): user attribute {@code aauth.directedSub}, one value per directed
 *       {@code sub} this PS has put in a person or auth token for that user (an HMAC output, unique per
 *       resource, so at most one value per resource), in the database.</li>
 * </ul>
 */
final class PsStore {

    static final String BINDING_ATTRIBUTE = "aauth.agentBinding";
    static final String DIRECTED_SUB_ATTRIBUTE = "aauth.directedSub";
    /** How long missions (which have no expires_at here) and a person's resource approvals are kept. */
    static final long LONG_LIVED = 30L * 86400;
    /** Records outlive the person token by the longest resource token accepted (an hour) and the skew. */
    static final long RESOURCE_TOKEN_WINDOW = 3600 + 60;
    private static final String MISSION_PREFIX = "aauth:mission:";
    private static final String PERSON_TOKEN_PREFIX = "aauth:pt:";
    private static final String DONE_PREFIX = "aauth:ps-done:";
    private static final String APPROVED_PREFIX = "aauth:ps-approved:";

    private final KeycloakSession session;
    private final RealmModel realm;
    private final SingleUseObjectProvider objects;
    final PendingStore pending;

    PsStore(KeycloakSession session, RealmModel realm) {
        this.session = session;
        this.realm = realm;
        this.objects = session.singleUseObjects();
        this.pending = PendingStore.of(session, realm);
    }

    // ---- missions ----

    void putMission(String s256, Map<String, String> record) {
        objects.put(key(MISSION_PREFIX, sha256(s256)), LONG_LIVED, realmScoped(record));
    }

    Map<String, String> mission(String s256) {
        return ours(objects.get(key(MISSION_PREFIX, sha256(s256))));
    }

    // ---- person-token records ----

    void putPersonToken(String jti, Map<String, String> record, long tokenLifespan) {
        objects.put(key(PERSON_TOKEN_PREFIX, sha256(jti)), tokenLifespan + RESOURCE_TOKEN_WINDOW, realmScoped(record));
    }

    Map<String, String> personToken(String jti) {
        return ours(objects.get(key(PERSON_TOKEN_PREFIX, sha256(jti))));
    }

    // ---- answered pending URLs ----

    void markDone(String id, long lifespan) {
        objects.put(key(DONE_PREFIX, sha256(id)), Math.max(1, lifespan), Map.of(PendingStore.REALM, realm.getId()));
    }

    boolean isDone(String id) {
        return ours(objects.get(key(DONE_PREFIX, sha256(id)))) != null;
    }

    // ---- a person's approval of person tokens for a resource ----

    /** The person approved person tokens at {@code resource} for this agent (of theirs). */
    void approveResource(String userId, String provider, String agentId, String resource) {
        objects.put(key(APPROVED_PREFIX, sha256(userId + "\n" + provider + "\n" + agentId + "\n" + resource)), LONG_LIVED,
                Map.of(PendingStore.REALM, realm.getId()));
    }

    boolean approvedResource(String userId, String provider, String agentId, String resource) {
        return ours(objects.get(key(APPROVED_PREFIX, sha256(userId + "\n" + provider + "\n" + agentId + "\n" + resource)))) != null;
    }

    // ---- agent-person binding ----

    /** The enabled user this agent is bound to, or null. */
    UserModel boundUser(String provider, String agentId) {
        String value = bindingValue(provider, agentId);
        return session.users().searchForUserByUserAttributeStream(realm, BINDING_ATTRIBUTE, value)
                .filter(UserModel::isEnabled).findFirst().orElse(null);
    }

    /** Binds the agent to the user; false when it is already bound to another user (§Agent-Person Binding). */
    boolean bind(UserModel user, String provider, String agentId) {
        UserModel existing = session.users().searchForUserByUserAttributeStream(realm, BINDING_ATTRIBUTE, bindingValue(provider, agentId))
                .findFirst().orElse(null);
        if (existing != null) {
            return existing.getId().equals(user.getId());
        }
        String value = bindingValue(provider, agentId);
        java.util.List<String> values = new java.util.ArrayList<>(user.getAttributeStream(BINDING_ATTRIBUTE).toList());
        values.add(value);
        user.setAttribute(BINDING_ATTRIBUTE, values);
        return true;
    }

    // ---- directed subjects ----

    /** Indexes a directed {@code sub} issued for the user, once. */
    void indexDirectedSub(String userId, String sub) {
        UserModel user = session.users().getUserById(realm, userId);
        if (user == null || user.getAttributeStream(DIRECTED_SUB_ATTRIBUTE).anyMatch(sub::equals)) {
            return;
        }
        java.util.List<String> values = new java.util.ArrayList<>(user.getAttributeStream(DIRECTED_SUB_ATTRIBUTE).toList());
        values.add(sub);
        user.setAttribute(DIRECTED_SUB_ATTRIBUTE, values);
    }

    /** The user (enabled or not) a directed {@code sub} was issued for, or null. */
    UserModel directedSubOwner(String sub) {
        return session.users().searchForUserByUserAttributeStream(realm, DIRECTED_SUB_ATTRIBUTE, sub).findFirst().orElse(null);
    }

    static String bindingValue(String provider, String agentId) {
        return provider + " " + agentId;
    }

    private Map<String, String> realmScoped(Map<String, String> record) {
        Map<String, String> n = new HashMap<>(record);
        n.put(PendingStore.REALM, realm.getId());
        return n;
    }

    private Map<String, String> ours(Map<String, String> rec) {
        return rec != null && realm.getId().equals(rec.get(PendingStore.REALM)) ? rec : null;
    }

    private String key(String prefix, String hashed) {
        return prefix + realm.getId() + ":" + hashed;
    }

    static String sha256(String s) {
        try {
            return Base64Url.encode(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
