package dev.aauth.keycloak.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aauth.keycloak.config.AgentSettings;
import dev.aauth.keycloak.config.RealmSettings;
import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import dev.aauth.keycloak.pending.PendingStore;
import dev.aauth.keycloak.pending.PollHold;
import dev.aauth.keycloak.pending.PreferWait;
import dev.aauth.keycloak.policy.AccessRequest;
import dev.aauth.keycloak.policy.Chaining;
import dev.aauth.keycloak.policy.LocalSubjects;
import dev.aauth.keycloak.policy.KeycloakRealmView;
import dev.aauth.keycloak.policy.PolicyDecision;
import dev.aauth.keycloak.remote.KeyDiscovery;
import dev.aauth.keycloak.signature.PublicJwk;
import dev.aauth.keycloak.signature.RequestView;
import dev.aauth.keycloak.token.AuthTokenIssuer;
import dev.aauth.keycloak.token.AuthTokenVerifier;
import dev.aauth.keycloak.token.Jwt;
import dev.aauth.keycloak.token.ResourceTokenVerifier;
import jakarta.ws.rs.core.Response;
import org.keycloak.common.util.Time;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.util.JsonSerialization;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The token endpoint and pending URLs (draft-hardt-aauth c465b2d §Token Endpoint, §Call Chaining;
 * docs/auth-server-contract.md "Token request modes", checks 1–7, "Responses").
 */
final class TokenService {

    private final KeycloakSession session;
    private final RealmModel realm;
    private final Decision decision;
    private final String issuer;
    private final RealmSettings settings;
    private final KeyDiscovery discovery;
    private final PendingStore store;
    private final KeycloakRealmView realmView;
    private final long now;

    TokenService(KeycloakSession session, RealmModel realm, Decision decision, String issuer, RealmSettings settings,
                 KeyDiscovery discovery, long now) {
        this.session = session;
        this.realm = realm;
        this.decision = decision;
        this.issuer = issuer;
        this.settings = settings;
        this.discovery = discovery;
        this.store = PendingStore.of(session, realm);
        this.realmView = new KeycloakRealmView(realm, settings);
        this.now = now;
    }

    Response token(RequestView request, byte[] body) {
        // 1. Body and mode.
        Map<String, String> p = TokenRequestBody.parse(first(request.header("content-type")), body);
        String resourceToken = nonEmpty(p, "resource_token");
        String upstreamToken = nonEmpty(p, "upstream_token");
        String authToken = nonEmpty(p, "auth_token");
        String scope = nonEmpty(p, "scope");
        String purpose = nonEmpty(p, "purpose");
        String loginHint = nonEmpty(p, "login_hint");
        String tenant = nonEmpty(p, "tenant");
        String domainHint = nonEmpty(p, "domain_hint");
        if (authToken != null && (resourceToken != null || upstreamToken != null || scope != null)) {
            throw TokenRequestBody.invalid("auth_token (refresh) cannot be combined with resource_token, upstream_token or scope.");
        }
        if (upstreamToken != null && resourceToken == null) {
            throw TokenRequestBody.invalid("upstream_token is only accepted together with a resource_token.");
        }
        if (resourceToken == null && authToken == null && scope == null) {
            throw TokenRequestBody.invalid("The request needs resource_token, scope or auth_token.");
        }

        // 2. Signature and agent identity.
        RequestAuthenticator.Agent agent = new RequestAuthenticator(discovery, settings.x509TrustAnchors())
                .authenticate(request, body, issuer, this::isKnownAgent, now, settings);
        decision.agent(agent.agentId());

        if (authToken != null) {
            return refresh(agent, authToken);
        }

        String audience;
        List<String> scopes;
        String txn = null;
        String upstreamSub = null;
        String upstreamAgent = null;
        Long authTime = null;
        boolean self = resourceToken == null;
        if (!self) {
            // 3. Resource token.
            ResourceTokenVerifier.Result rt = new ResourceTokenVerifier(discovery)
                    .verify(resourceToken, issuer, agent.agentId(), agent.key(), realmView::isResource, now);
            audience = rt.resourceId();
            scopes = splitScope(rt.scope());
            txn = rt.txn();
            decision.resource(audience).scope(scopes);
            // 4. Upstream token (call chaining): provenance and the user, not a scope ceiling (wire notes §6.1);
            //    what the chained token may carry without asking the user is the policy's (aauth.chainScopes).
            if (upstreamToken != null) {
                Jwt up = new AuthTokenVerifier(this::issuerKey)
                        .verifyUpstream(upstreamToken, issuer, settings.trustedIssuers(), agent.agentId(), agent.key(), now);
                Carried carried = carried(up, "upstream token");
                upstreamSub = carried.sub();
                authTime = carried.authTime();
                upstreamAgent = up.string("agent");
            }
            // Last resource-token check, so a token refused above is not burnt: jti single use.
            if (!store.claimJti(rt.resourceId(), rt.jti(), rt.exp() - now + 60)) {
                throw new AAuthException(AAuthError.INVALID_RESOURCE_TOKEN, "The resource token has already been used.");
            }
        } else {
            audience = agent.agentId();
            scopes = splitScope(scope);
            decision.scope(scopes);
        }
        decision.user(upstreamSub);

        // 6. Policy.
        boolean consent = PolicyDecision.evaluate(realmView,
                new AccessRequest(agent.agentId(), audience, self, scopes, upstreamSub));

        // Contract "Chain policy": call chaining stands on the upstream token's agent, the actor before the requester.
        if (upstreamToken != null) {
            List<String> act = new ArrayList<>();
            act.add(agent.agentId());
            if (upstreamAgent != null) {
                act.add(upstreamAgent);
            }
            String refusal = settings.chainLimits().refusal(act);
            if (refusal != null) {
                decision.policyReason(refusal);
                throw new AAuthException(AAuthError.ACCESS_DENIED, refusal);
            }
        }

        // 7. Consent → 202, else 200.
        if (consent) {
            return pending(agent, audience, scopes, txn, new Hints(purpose, loginHint, tenant, domainHint), upstreamSub);
        }
        return issued(agent.agentId(), agent.key(), audience, upstreamSub, authTime, scopes, txn, now);
    }

    /**
     * Free text of the token request for the consent page (and its policy): {@code purpose},
     * {@code login_hint}, and OpenID Connect Enterprise Extensions 1.0 {@code tenant} and {@code domain_hint}.
     */
    private record Hints(String purpose, String loginHint, String tenant, String domainHint) {
    }

    /** The local user a verified auth token names, and when they authorized it. */
    private record Carried(String sub, Long authTime) {
    }

    /**
     * The user and authorization time an auth token carries into a new one (contract "Chained and
     * exchanged grants", "Foreign subjects"): its {@code sub} resolved to an enabled local user (a foreign
     * {@code sub} only through {@code aauth.federatedSubject}) and an {@code auth_time} within
     * {@code aauth.maxAuthAge}. Without a user there is no one's authorization to age.
     */
    private Carried carried(Jwt token, String what) {
        String sub = token.string("sub");
        if (sub == null) {
            return new Carried(null, null);
        }
        Long authTime = Chaining.authTime(token.claims());
        String tooOld = Chaining.authAgeReason(authTime, now, settings.maxAuthAge());
        if (tooOld != null) {
            throw new AAuthException(AAuthError.INVALID_AUTH_TOKEN, "The " + what + " cannot be carried on: " + tooOld + ".");
        }
        String local = LocalSubjects.resolve(session, realm, issuer, token.string("iss"), sub, AAuthError.INVALID_AUTH_TOKEN, what).getId();
        return new Carried(local, authTime);
    }

    /** RFC 8693 token exchange, with the same realm, settings, key discovery and clock. */
    Response exchange(RequestView request, byte[] body) {
        return new TokenExchangeService(session, realm, decision, issuer, settings, discovery, this::issuerKey, now)
                .exchange(request, body);
    }

    /**
     * Refresh (contract check 5): same aud, sub, scope, auth_time; the realm's policy still has to allow
     * them, the user must still exist and be enabled, the authorization be younger than
     * {@code aauth.maxAuthAge}; and each token is refreshed once (RFC 9700 §4.14.2, rotation): its
     * {@code jti} is used up in the single-use store, keyed by issuer (so by realm) and jti.
     */
    private Response refresh(RequestAuthenticator.Agent agent, String authToken) {
        long window = AgentSettings.refreshWindow(settings, realm.getClientByClientId(agent.agentId()));
        Jwt old = new AuthTokenVerifier(this::issuerKey)
                .verifyRefresh(authToken, issuer, agent.agentId(), agent.key(), now, window, settings.earlyRefresh());
        String audience = old.audience().get(0);
        List<String> scopes = splitScope(old.string("scope"));
        decision.resource(audience.equals(agent.agentId()) ? null : audience).scope(scopes);
        Carried carried = carried(old, "auth token");
        decision.user(carried.sub());
        String sub = carried.sub();
        String jti = old.string("jti");
        if (jti == null || jti.isEmpty()) {
            throw new AAuthException(AAuthError.INVALID_AUTH_TOKEN, "The auth token has no jti.");
        }
        if (!store.claimJti(issuer, jti, old.number("exp") + window + 60 - now)) {
            throw new AAuthException(AAuthError.INVALID_AUTH_TOKEN,
                    "The auth token has already been refreshed; refresh the token that refresh returned.");
        }
        boolean self = audience.equals(agent.agentId());
        // The user already approved (or the token never needed it): consent is not asked again,
        // but an agent, resource or scope the realm no longer allows is refused.
        PolicyDecision.evaluate(realmView, new AccessRequest(agent.agentId(), audience, self, scopes, sub));
        return issued(agent.agentId(), agent.key(), audience, sub, carried.authTime(), scopes, old.string("txn"), now);
    }

    private Response issued(String agentId, PublicJwk key, String audience, String sub, Long authTime, List<String> scopes, String txn, long at) {
        ClientModel client = realm.getClientByClientId(agentId);
        AuthTokenIssuer.Issued token = new AuthTokenIssuer(session, realm)
                .issue(issuer, audience, agentId, key, sub, authTime, scopes, txn, at, AgentSettings.tokenLifespan(settings, client));
        decision.agent(agentId).resource(audience.equals(agentId) ? null : audience).scope(scopes).user(sub);
        return JsonResponses.json(200, JsonResponses.map("auth_token", token.token(), "expires_in", token.expiresIn()));
    }

    /** 202 with a pending URL and an interaction code (contract "Responses"). */
    private Response pending(RequestAuthenticator.Agent agent, String audience, List<String> scopes, String txn,
                             Hints hints, String upstreamSub) {
        Map<String, String> notes = new LinkedHashMap<>();
        notes.put("agent", agent.agentId());
        notes.put("jkt", agent.key().thumbprint());
        notes.put("cnf", agent.key().publicMembers().toString());
        notes.put("aud", audience);
        notes.put("scope", String.join(" ", scopes));
        putIfPresent(notes, "txn", txn);
        putIfPresent(notes, "purpose", hints.purpose());
        putIfPresent(notes, "login_hint", hints.loginHint());
        putIfPresent(notes, "tenant", hints.tenant());
        putIfPresent(notes, "domain_hint", hints.domainHint());
        putIfPresent(notes, PendingStore.REQUIRED_USER, upstreamSub);
        String code = PendingStore.newCode();
        notes.put(PendingStore.CODE, code);
        String id = store.create(notes, code, now, settings.pendingLifespan());
        // Answered at once whatever Prefer: wait asked: the user needs the code before anything can change.
        return pendingAnswer(id, code, 0, null);
    }

    private static void putIfPresent(Map<String, String> notes, String name, String value) {
        if (value != null) {
            notes.put(name, value);
        }
    }

    /**
     * Every 202 of a pending request (draft c465b2d §Deferred Responses "Pending Response"): status always
     * {@code "pending"} and {@code location} echoing {@code Location}; while the code is unopened also
     * {@code require} and {@code code} with the {@code AAuth} header, as the token endpoint's 202 said.
     */
    private Response pendingAnswer(String id, String unopenedCode, long retryAfter, String preferenceApplied) {
        String location = issuer + "/protocol/aauth/pending/" + id;
        Response.ResponseBuilder answer = Response.status(202)
                .type(jakarta.ws.rs.core.MediaType.APPLICATION_JSON_TYPE)
                .header("Location", location)
                .header("Retry-After", Long.toString(retryAfter))
                .header("Cache-Control", "no-store");
        if (preferenceApplied != null) {
            answer.header("Preference-Applied", preferenceApplied);
        }
        if (unopenedCode != null) {
            return answer.header("AAuth", "require=interaction; code=\"" + unopenedCode + "\"")
                    .entity(JsonResponses.map("status", "pending", "location", location, "require", "interaction", "code", unopenedCode))
                    .build();
        }
        return answer.entity(JsonResponses.map("status", "pending", "location", location)).build();
    }

    /**
     * GET {pending}: signed by the key that made the token request (contract "Polling"). With
     * {@code Prefer: wait=N} the poll is held until the request is decided, at most
     * {@code aauth.maxPollWait} seconds and the request's remaining lifetime ({@link PollHold}).
     */
    Response poll(RequestView request, String id) {
        RequestAuthenticator.Agent agent = new RequestAuthenticator(discovery, settings.x509TrustAnchors())
                .authenticate(request, null, issuer, this::isKnownAgent, now, settings);
        Map<String, String> rec = ownRecord(agent, id);
        String aud = rec.get("aud");
        decision.agent(rec.get("agent")).resource(agent.agentId().equals(aud) ? null : aud).scope(splitScope(rec.get("scope"))).user(rec.get("sub"));
        Response done = terminal(id, rec, now, null);
        if (done != null) {
            return done;
        }
        long asked = PreferWait.parse(request.header("prefer"));
        long remaining = Math.max(0, Long.parseLong(rec.get(PendingStore.EXPIRES_AT)) - now);
        long wait = asked <= 0 ? 0 : Math.min(Math.min(asked, settings.maxPollWait()), remaining);
        if (wait == 0 || !PollHold.hold(realm.getId(), settings.maxHeldPolls(), wait * 1000, () -> !waiting(store.get(id)))) {
            return pendingAnswer(id, unopenedCode(rec), 1, null);
        }
        String applied = PreferWait.applied(wait);
        Map<String, String> latest = store.get(id);
        if (latest == null) {
            throw notFound();
        }
        done = terminal(id, latest, (long) Time.currentTime(), applied);
        return done != null ? done : pendingAnswer(id, unopenedCode(latest), 0, applied);
    }

    /** The interaction code while nobody has opened it: polls repeat it until then. */
    private static String unopenedCode(Map<String, String> rec) {
        return PendingStore.PENDING.equals(rec.get(PendingStore.STATUS)) ? rec.get(PendingStore.CODE) : null;
    }

    /** A request nobody has decided yet (its code unopened or being answered); false once it is gone. */
    private static boolean waiting(Map<String, String> rec) {
        if (rec == null) {
            return false;
        }
        String status = rec.get(PendingStore.STATUS);
        return PendingStore.PENDING.equals(status) || PendingStore.INTERACTING.equals(status);
    }

    /**
     * The terminal answer of a pending request at {@code at}, taken exactly once (draft c465b2d
     * §Polling Error Codes), or null while it is still waiting.
     */
    private Response terminal(String id, Map<String, String> rec, long at, String preferenceApplied) {
        String status = rec.get(PendingStore.STATUS);
        AAuthError ended;
        String why;
        if (PendingStore.APPROVED.equals(status)) {
            Map<String, String> taken = store.take(id);
            if (taken == null) {
                throw notFound();
            }
            PublicJwk key = PublicJwk.parse(readJson(taken.get("cnf")));
            // The user approved between the token request and this poll: now is the latest it can have been.
            Response issued = issued(taken.get("agent"), key, taken.get("aud"), taken.get("sub"), at,
                    splitScope(taken.get("scope")), taken.get("txn"), at);
            return preferenceApplied == null ? issued
                    : Response.fromResponse(issued).header("Preference-Applied", preferenceApplied).build();
        } else if (PendingStore.DENIED.equals(status)) {
            ended = AAuthError.DENIED;
            why = "The user denied the request.";
        } else if (PendingStore.CODE_REUSED.equals(status)) {
            ended = AAuthError.INVALID_CODE;
            why = "The interaction code was presented again after it had been used; start a new request.";
        } else if (at >= Long.parseLong(rec.get(PendingStore.EXPIRES_AT))) {
            ended = PendingStore.expiryError(status);
            why = ended == AAuthError.ABANDONED
                    ? "The user opened the interaction but did not decide before the request expired."
                    : "The pending request expired before the user answered.";
        } else {
            return null;
        }
        if (store.take(id) == null) {
            throw notFound();
        }
        throw new AAuthException(ended, why);
    }

    /**
     * POST {pending} ({@code clarification_response}; contract "Responses"). This server never asks a
     * clarification question, so an answer is always out of place: 400 invalid_request, once the
     * caller has proved it owns the request. The pending request is left as it was.
     */
    Response clarify(RequestView request, String id, byte[] body) {
        RequestAuthenticator.Agent agent = new RequestAuthenticator(discovery, settings.x509TrustAnchors())
                .authenticate(request, body, issuer, this::isKnownAgent, now, settings);
        ownRecord(agent, id);
        throw TokenRequestBody.invalid("No clarification was requested; clarification_response is not expected.");
    }

    private Map<String, String> ownRecord(RequestAuthenticator.Agent agent, String id) {
        Map<String, String> rec = store.get(id);
        if (rec == null) {
            throw notFound();
        }
        if (!agent.key().thumbprint().equals(rec.get("jkt")) || !agent.agentId().equals(rec.get("agent"))) {
            throw new AAuthException(AAuthError.ACCESS_DENIED, "This pending request belongs to another key.");
        }
        return rec;
    }

    private boolean isKnownAgent(String agentId) {
        return realmView.agent(agentId) != null;
    }

    private static AAuthException notFound() {
        return new AAuthException(AAuthError.NOT_FOUND, "There is no pending request at this URL.");
    }

    private static JsonNode readJson(String s) {
        try {
            return JsonSerialization.mapper.readTree(s);
        } catch (Exception e) {
            throw new IllegalStateException("stored key is not JSON", e);
        }
    }

    /** Keys of auth-token issuers: our realm's own JWKS, or a trusted issuer's via aauth-issuer.json. */
    private PublicJwk issuerKey(String iss, String kid) throws Exception {
        if (issuer.equals(iss)) {
            JsonNode jwks = JsonSerialization.mapper.valueToTree(
                    org.keycloak.protocol.oidc.utils.JWKSServerUtils.getRealmJwks(session, realm));
            return KeyDiscovery.select(jwks, kid);
        }
        return discovery.findKey(iss, "aauth-issuer.json", "issuer", kid);
    }

    private static String first(List<String> values) {
        return values.isEmpty() ? null : values.get(0);
    }

    private static String nonEmpty(Map<String, String> p, String name) {
        String v = p.get(name);
        if (v != null && v.isEmpty()) {
            throw TokenRequestBody.invalid("The parameter '" + name + "' is empty.");
        }
        return v;
    }

    static List<String> splitScope(String scope) {
        Set<String> out = new LinkedHashSet<>();
        if (scope != null) {
            for (String s : scope.trim().split("\\s+")) {
                if (!s.isEmpty()) {
                    out.add(s);
                }
            }
        }
        return new ArrayList<>(out);
    }
}
