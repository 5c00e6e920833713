package dev.aauth.keycloak.person;

import dev.aauth.keycloak.error.AAuthError;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aauth.keycloak.config.AgentSettings;
import dev.aauth.keycloak.endpoint.Decision;
import dev.aauth.keycloak.pending.PendingStore;
import dev.aauth.keycloak.pending.PollHold;
import dev.aauth.keycloak.pending.PreferWait;
import dev.aauth.keycloak.policy.KeycloakRealmView;
import dev.aauth.keycloak.policy.RealmView;
import dev.aauth.keycloak.remote.KeyDiscovery;
import dev.aauth.keycloak.signature.PublicJwk;
import dev.aauth.keycloak.signature.RequestView;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.common.util.Time;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.util.JsonSerialization;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The Person Server of the current profile (draft-hardt-oauth-aauth-protocol §Person Server,
 * §Person Token, §Mission, §Auth Token, §Sub-Agents; interop-demo-profile.md surfaces 1, 2, 4, 5)
 * under {@code {issuer}/protocol/aauth/ps/}: mission proposals, person tokens, auth tokens, and the
 * pending URLs of the requests a person has to review. Persons are the realm's users; the review
 * happens on {@link PersonReviewPage} after Keycloak's own login.
 */
public final class PersonServerService {

    private static final Logger LOG = Logger.getLogger(PersonServerService.class);
    static final String PROFILE = "profile";
    static final String CURRENT = "current";
    static final String KIND = "kind";
    static final String MISSION = "mission";
    static final String PERSON = "person";
    static final String TOKEN = "token";
    static final String COMPLETION = "completion";
    static final String ACTIVE = "active";
    static final String TERMINATED = "terminated";
    /** The {@code jti} of the upstream token a chained request or person token was made on. */
    static final String UPSTREAM_JTI = "upstream_jti";
    private static final Pattern S256 = Pattern.compile("[A-Za-z0-9_-]{43}");
    private static final int MAX_RESOURCES = 20;
    private static final int MAX_TOOLS = 50;

    private final KeycloakSession session;
    private final RealmModel realm;
    private final String issuer;
    private final PersonServerSettings settings;
    private final KeyDiscovery discovery;
    private final PsStore store;
    private final KeycloakRealmView realmView;
    private final Decision decision;
    private final long now;

    public PersonServerService(KeycloakSession session, RealmModel realm, String issuer, PersonServerSettings settings,
                               KeyDiscovery discovery, Decision decision, long now) {
        this.session = session;
        this.realm = realm;
        this.issuer = issuer;
        this.settings = settings;
        this.discovery = discovery;
        this.store = new PsStore(session, realm);
        this.realmView = new KeycloakRealmView(realm, settings.realm());
        this.decision = decision;
        this.now = now;
    }

    public static String base(String issuer) {
        return issuer + "/protocol/aauth/ps";
    }

    // ------------------------------------------------------------------ mission

    /** §Mission Creation: every proposal is reviewed by the person (202 + interaction). */
    public Response mission(RequestView request, byte[] body) {
        AgentTokens.Agent agent = topLevel(authenticate(request, body));
        JsonBody json = JsonBody.parse(request.header("content-type"), body);
        if (json.get("action") != null) {
            throw JsonBody.invalid("A mission proposal has no action; update and completion go to the mission's own URL.");
        }
        String description = json.document("description");
        if (description == null) {
            throw JsonBody.invalid("The mission proposal needs a description.");
        }
        JsonNode tools = tools(json.get("tools"));
        List<String> resources = resources(json.get("resources"));
        Map<String, String> notes = agentNotes(agent, MISSION);
        notes.put("description", description);
        if (tools != null) {
            notes.put("tools", tools.toString());
        }
        notes.put("resources", JsonSerialization.mapper.valueToTree(resources).toString());
        return interaction(notes, agent);
    }

    /**
     * {@code POST {mission_endpoint}/{s256}} (§Mission Update, §Mission Completion): after the signature,
     * a malformed s256 or an unknown action is 400; an unknown mission and another agent's are the same
     * 404; a terminated one 403. {@code update} is accepted at once: 200 with the s256 of the update as
     * persisted ({@code {"description", "accepted_at"}}); {@code completion} goes to the person (202).
     */
    public Response missionAction(RequestView request, String s256, byte[] body) {
        AgentTokens.Agent agent = topLevel(authenticate(request, body));
        JsonBody json = JsonBody.parse(request.header("content-type"), body);
        if (s256 == null || !S256.matcher(s256).matches()) {
            throw JsonBody.invalid("The mission path segment is not a mission s256.");
        }
        String action = json.string("action");
        if (!"update".equals(action) && !COMPLETION.equals(action)) {
            throw JsonBody.invalid("action must be update or completion.");
        }
        String text = json.document("update".equals(action) ? "description" : "summary");
        if (text == null) {
            throw JsonBody.invalid("update".equals(action) ? "An update needs a description." : "A completion needs a summary.");
        }
        Map<String, String> mission = ownMission(s256, agent, AAuthError.MISSION_NOT_FOUND);
        if ("update".equals(action)) {
            ObjectNode update = JsonSerialization.mapper.createObjectNode();
            update.put("description", text);
            update.put("accepted_at", MissionBlob.iso(now));
            MissionBlob persisted = MissionBlob.of(update);
            Map<String, String> updated = new LinkedHashMap<>(mission);
            int n = Integer.parseInt(mission.getOrDefault("updates", "0")) + 1;
            updated.put("updates", Integer.toString(n));
            updated.put("update." + n, persisted.encoded());
            store.putMission(s256, updated);
            return ok(map("s256", persisted.s256()));
        }
        Map<String, String> notes = agentNotes(agent, COMPLETION);
        notes.put("mission_s256", s256);
        notes.put("summary", text);
        notes.put("description", mission.getOrDefault("description", ""));
        notes.put(PendingStore.REQUIRED_USER, mission.get("user"));
        return interaction(notes, agent);
    }

    // ------------------------------------------------------------------ person token

    /**
     * §Person Token Endpoint (docs/person-server-contract.md "Person token endpoint"): issued at once for
     * the bound person when they approved person tokens for this agent at this resource before, or the mission named
     * lists it; otherwise the person is asked (202), and an unbound agent is bound to whoever approves.
     */
    public Response person(RequestView request, byte[] body) {
        AgentTokens.Agent agent = topLevel(authenticate(request, body));
        JsonBody json = JsonBody.parse(request.header("content-type"), body);
        String resource = resource(json.string("resource"), "resource");
        decision.resource(resource);
        String missionS256 = json.string("mission_s256");
        String tenant = json.string("tenant");
        String justification = json.justification();
        List<String> capabilities = capabilities(json.get("capabilities"));
        String upstreamToken = upstreamToken(json);
        AgentTokens.Agent holder = holder(agent, json.token("subagent_token"));
        if (upstreamToken != null) {
            return chainedPerson(upstreamToken, agent, holder, resource, missionS256, tenant, justification, capabilities);
        }
        Map<String, String> mission = null;
        if (missionS256 != null) {
            if (!S256.matcher(missionS256).matches()) {
                throw JsonBody.invalid("mission_s256 is not a base64url SHA-256 value.");
            }
            // §Person Token Endpoint: invalid_request covers a mission_s256 naming no mission of this agent.
            mission = ownMission(missionS256, agent, AAuthError.INVALID_REQUEST);
        }
        UserModel user = store.boundUser(agent.provider(), agent.id());
        if (user != null) {
            decision.user(user.getId());
        }
        if (user != null && (store.approvedResource(user.getId(), agent.provider(), agent.id(), resource) || (mission != null && approvedResources(mission).contains(resource)))) {
            Map<String, String> issued = personToken(user.getId(), resource, agent, holder, missionS256, tenant, null);
            return ok(map("person_token", issued.get("token"), "expires_in", Long.parseLong(issued.get("expires_in"))));
        }
        reachable(capabilities);
        Map<String, String> notes = agentNotes(agent, PERSON);
        notes.put("resource", resource);
        holderNotes(notes, holder);
        putIfPresent(notes, "mission_s256", missionS256);
        putIfPresent(notes, "tenant", tenant);
        putIfPresent(notes, "justification", justification);
        return interaction(notes, agent);
    }

    /**
     * A person token on an {@code upstream_token} (§Call Chaining, docs/person-server-contract.md "Call
     * chaining"): for the person the upstream token names, {@code sub} directed to {@code resource} (never
     * the upstream {@code sub}, §Directed Identifiers Across a Chain), bound to the intermediary's key, the
     * upstream {@code mission_s256} carried; at once (the person consented upstream) unless the
     * intermediary's agent-provider client has {@code consentRequired}: then that person alone decides.
     */
    private Response chainedPerson(String upstreamToken, AgentTokens.Agent agent, AgentTokens.Agent holder, String resource,
                                   String bodyMission, String tenant, String justification, List<String> capabilities) {
        Chained upstream = upstream(upstreamToken, agent, bodyMission);
        RealmView.Agent provider = realmView.agent(agent.provider());
        if (provider == null || !provider.consentRequired()) {
            Map<String, String> issued = personToken(upstream.userId(), resource, agent, holder, upstream.missionS256(), tenant, upstream.jti());
            return ok(map("person_token", issued.get("token"), "expires_in", Long.parseLong(issued.get("expires_in"))));
        }
        reachable(capabilities);
        Map<String, String> notes = agentNotes(agent, PERSON);
        notes.put("resource", resource);
        holderNotes(notes, holder);
        putIfPresent(notes, "mission_s256", upstream.missionS256());
        putIfPresent(notes, "tenant", tenant);
        putIfPresent(notes, "justification", justification);
        chainedNotes(notes, upstream);
        return interaction(notes, agent);
    }

    /** The person and mission an {@code upstream_token} carries into a chained request. */
    private record Chained(String jti, String userId, String missionS256) {
    }

    /** {@code upstream_token}, which an intermediary sends for itself, never with a {@code subagent_token}. */
    private static String upstreamToken(JsonBody json) {
        String token = json.token(UpstreamTokens.MEMBER);
        if (token != null && json.get("subagent_token") != null) {
            throw JsonBody.invalid("\"upstream_token\" and \"subagent_token\" cannot be combined: an intermediary calls for itself.");
        }
        return token;
    }

    /**
     * §Upstream Token Verification: the token ({@link UpstreamTokens}, steps 1–3), then step 4, the person
     * our index of directed subjects names for its ({@code aud}, {@code sub}) (recomputed, so an index
     * value never stands for another resource), an enabled user; then the mission rules: a body
     * {@code mission_s256} equals the upstream one, which is a mission of that person and active.
     */
    private Chained upstream(String token, AgentTokens.Agent agent, String bodyMission) {
        UpstreamTokens.Upstream verified = UpstreamTokens.verify(token, issuer, agent.provider(), this::ownKey, now);
        decision.upstreamJti(verified.jti());
        UserModel user = store.directedSubOwner(verified.sub());
        if (user == null || !verified.sub().equals(DirectedSubject.of(PersonServerSettings.pairwiseSalt(realm), verified.aud(), user.getId()))) {
            throw JsonBody.invalid("The person the upstream token was issued for is not known here.");
        }
        if (!user.isEnabled()) {
            throw new PsException(AAuthError.ACCESS_DENIED, "The person the upstream token was issued for is not an enabled user of this realm.");
        }
        decision.user(user.getId());
        if (bodyMission != null && !bodyMission.equals(verified.missionS256())) {
            throw JsonBody.invalid("\"mission_s256\" is not the mission of the upstream token.");
        }
        if (verified.missionS256() != null) {
            Map<String, String> mission = store.mission(verified.missionS256());
            if (mission == null || !user.getId().equals(mission.get("user"))) {
                throw JsonBody.invalid("The upstream token's \"mission_s256\" names no mission of its person.");
            }
            active(mission);
        }
        return new Chained(verified.jti(), user.getId(), verified.missionS256());
    }

    /** The realm's own enabled Ed25519 key {@code kid}, to verify tokens this PS issued (never fetched). */
    private java.security.PublicKey ownKey(String kid) {
        org.keycloak.crypto.KeyWrapper key = session.keys().getKey(realm, kid, org.keycloak.crypto.KeyUse.SIG, org.keycloak.crypto.Algorithm.Ed25519);
        return key != null && key.getPublicKey() instanceof java.security.PublicKey pk ? pk : null;
    }

    /** A chained request is decided by the upstream person alone (approving binds no agent). */
    private static void chainedNotes(Map<String, String> notes, Chained upstream) {
        notes.put(PendingStore.REQUIRED_USER, upstream.userId());
        notes.put(UPSTREAM_JTI, upstream.jti());
    }

    /** §Token Endpoint Error Codes {@code user_unreachable}: the person must be asked, and the agent cannot take the person there. */
    private static void reachable(List<String> capabilities) {
        if (capabilities != null && !capabilities.contains("interaction")) {
            throw new PsException(AAuthError.USER_UNREACHABLE,
                    "The person has to be asked, and this Person Server has no channel to them without the agent's interaction capability.");
        }
    }

    /**
     * Mints an {@code aa-person+jwt} (§Person Token Structure) and records it for resource-token
     * verification: {@code aud} = resource, directed {@code sub}, {@code cnf.jwk} = the holder's key,
     * {@code mission_s256} and {@code tenant} when given; lifetime at most an hour and the agent token(s)'.
     */
    private Map<String, String> personToken(String userId, String resource, AgentTokens.Agent signer, AgentTokens.Agent holder,
                                            String missionS256, String tenant, String upstreamJti) {
        long exp = Math.min(now + PersonServerSettings.TOKEN_LIFESPAN, Math.min(signer.exp(), holder.exp()));
        String sub = DirectedSubject.of(PersonServerSettings.pairwiseSalt(realm), resource, userId);
        String jti = PendingStore.newId();
        ObjectNode claims = JsonSerialization.mapper.createObjectNode();
        claims.put("iss", issuer);
        claims.put("dwk", PersonMetadata.DWK);
        claims.put("aud", resource);
        claims.put("sub", sub);
        claims.putObject("cnf").set("jwk", cnfJwk(holder.key()));
        if (missionS256 != null) {
            claims.put("mission_s256", missionS256);
        }
        if (tenant != null) {
            claims.put("tenant", tenant);
        }
        claims.put("jti", jti);
        claims.put("iat", now);
        claims.put("exp", exp);
        String token = CurrentJws.sign(session, realm, "aa-person+jwt", claims);
        Map<String, String> record = new LinkedHashMap<>();
        record.put("ps", issuer);
        record.put("sub", sub);
        record.put("aud", resource);
        record.put("user", userId);
        record.put("agent", signer.id());
        record.put("provider", signer.provider());
        record.put("holder", holder.id());
        record.put("jkt", holder.key().thumbprint());
        record.put("exp", Long.toString(exp));
        putIfPresent(record, "mission_s256", missionS256);
        putIfPresent(record, "tenant", tenant);
        putIfPresent(record, UPSTREAM_JTI, upstreamJti);
        store.putPersonToken(jti, record, exp - now);
        store.indexDirectedSub(userId, sub);
        return Map.of("token", token, "expires_in", Long.toString(exp - now));
    }

    // ------------------------------------------------------------------ auth token

    /**
     * §PS Token Endpoint, three-party (docs/person-server-contract.md "Auth token endpoint"): the
     * resource token's {@code aud} is this PS; its {@code presented_jti} names a person token this PS
     * issued, whose record it must match exactly; realm policy as for 2026-03 (known resource, the
     * provider's optional scopes, consent scopes / consentRequired → the bound person is asked).
     */
    public Response token(RequestView request, byte[] body) {
        AgentTokens.Agent agent = topLevel(authenticate(request, body));
        JsonBody json = JsonBody.parse(request.header("content-type"), body);
        String resourceToken = json.token("resource_token");
        if (resourceToken == null) {
            throw JsonBody.invalid("The token request needs a resource_token.");
        }
        String justification = json.justification();
        List<String> capabilities = capabilities(json.get("capabilities"));
        String upstreamToken = upstreamToken(json);
        AgentTokens.Agent holder = holder(agent, json.token("subagent_token"));
        ResourceTokens.Resource rt = ResourceTokens.verify(resourceToken, issuer, holder.key().thumbprint(), discovery,
                realmView::isResource, settings.realm().allowLoopback(), now);
        // §Resource Token Verification step 6: the person token named by presented_jti, exactly as issued.
        Map<String, String> record = store.personToken(rt.presentedJti());
        if (record == null) {
            throw new PsException(AAuthError.UNKNOWN_PERSON_TOKEN, "The resource token names a person token this Person Server does not hold.");
        }
        if (!Objects.equals(record.get("ps"), rt.ps()) || !Objects.equals(record.get("sub"), rt.sub())
                || !Objects.equals(record.get("mission_s256"), rt.missionS256()) || !Objects.equals(record.get("tenant"), rt.tenant())
                || !Objects.equals(record.get("aud"), rt.resource()) || !Objects.equals(record.get("jkt"), holder.key().thumbprint())
                || !Objects.equals(record.get("agent"), agent.id()) || !Objects.equals(record.get("provider"), agent.provider())) {
            LOG.warnf("AAuth Person Server: resource token does not match the person token it names (resource %s, agent %s): "
                    + "possible tampering such as mission stripping", rt.resource(), agent.id());
            throw new PsException(AAuthError.INVALID_RESOURCE_TOKEN, "The resource token does not match the person token it names.");
        }
        // Step 7: a chained person token is redeemed only with its upstream token, naming the same person and mission.
        Chained upstream = upstreamToken == null ? null : upstream(upstreamToken, agent, null);
        if (upstream != null) {
            if (!upstream.userId().equals(record.get("user"))) {
                throw JsonBody.invalid("\"upstream_token\" names another person than the person token the resource token was built on.");
            }
            if (!Objects.equals(upstream.missionS256(), record.get("mission_s256"))) {
                throw JsonBody.invalid("\"upstream_token\" carries another mission than the person token the resource token was built on.");
            }
        } else if (record.get(UPSTREAM_JTI) != null) {
            throw JsonBody.invalid("This resource token was built on a person token issued for call chaining; present its \"upstream_token\" too.");
        } else if (rt.missionS256() != null) {
            ownMission(rt.missionS256(), agent, AAuthError.INVALID_RESOURCE_TOKEN);
        }
        List<String> scopes = splitScope(rt.scope());
        decision.resource(rt.resource()).scope(scopes).user(record.get("user"));
        RealmView.Agent provider = realmView.agent(agent.provider());
        for (String scope : scopes) {
            RealmView.Scope offered = provider == null ? null : provider.optionalScopes().get(scope);
            if (offered == null || !rt.resource().equals(offered.resource())) {
                throw new PsException(AAuthError.INVALID_SCOPE, "The scope '" + scope + "' is not one this agent provider may ask of this resource.");
            }
        }
        UserModel user = enabledUser(record.get("user"));
        if (user == null) {
            throw new PsException(AAuthError.ACCESS_DENIED, "The person this token was issued for is not an enabled user of this realm.");
        }
        if (!store.pending.claimJti(rt.resource(), rt.jti(), rt.exp() - now + DwkJwt.SKEW_SECONDS)) {
            throw new PsException(AAuthError.INVALID_RESOURCE_TOKEN, "The resource token has already been used.");
        }
        Map<String, String> grant = new LinkedHashMap<>();
        grant.put("user", user.getId());
        grant.put("resource", rt.resource());
        grant.put("sub", rt.sub());
        putIfPresent(grant, "scope", rt.scope());
        putIfPresent(grant, "mission_s256", rt.missionS256());
        putIfPresent(grant, "tenant", rt.tenant());
        grant.put("lifespan", Long.toString(Math.min(PersonServerSettings.TOKEN_LIFESPAN,
                AgentSettings.tokenLifespan(settings.realm(), realm.getClientByClientId(agent.provider())))));
        boolean consent = (provider != null && provider.consentRequired()) || scopes.stream().anyMatch(realmView.consentScopes()::contains);
        if (!consent) {
            return ok(authToken(grant, holder.key(), Math.min(agent.exp(), holder.exp())));
        }
        reachable(capabilities);
        Map<String, String> notes = agentNotes(agent, TOKEN);
        notes.putAll(grant);
        holderNotes(notes, holder);
        putIfPresent(notes, "justification", justification);
        notes.put(PendingStore.REQUIRED_USER, user.getId());
        if (upstream != null) {
            chainedNotes(notes, upstream);
        }
        return interaction(notes, agent);
    }

    /**
     * An {@code aa-auth+jwt} (§Auth Token Structure): {@code iss} = {@code ps} = this PS, {@code dwk}
     * {@code aauth-person.json}, {@code aud} = the resource, {@code sub} from the resource token,
     * {@code cnf.jwk} = the holder's key, {@code scope}, {@code mission_s256} and {@code tenant} copied;
     * the agent provider client's token lifespan (else the realm's), at most an hour, never past the
     * agent token(s) presented.
     */
    private Map<String, Object> authToken(Map<String, String> grant, PublicJwk key, long agentExp) {
        long exp = Math.min(now + Long.parseLong(grant.get("lifespan")), agentExp);
        ObjectNode claims = JsonSerialization.mapper.createObjectNode();
        claims.put("iss", issuer);
        claims.put("dwk", PersonMetadata.DWK);
        claims.put("aud", grant.get("resource"));
        claims.put("jti", PendingStore.newId());
        claims.put("ps", issuer);
        claims.put("sub", grant.get("sub"));
        claims.putObject("cnf").set("jwk", cnfJwk(key));
        for (String copied : List.of("scope", "mission_s256", "tenant")) {
            if (grant.get(copied) != null) {
                claims.put(copied, grant.get(copied));
            }
        }
        claims.put("iat", now);
        claims.put("exp", exp);
        // The auth token may come back as an upstream_token: its (aud, sub) must lead back to the person.
        store.indexDirectedSub(grant.get("user"), grant.get("sub"));
        return map("auth_token", CurrentJws.sign(session, realm, "aa-auth+jwt", claims), "expires_in", exp - now);
    }

    // ------------------------------------------------------------------ pending URLs

    /**
     * GET {pending}: 202 while the person decides, then the terminal answer once, then 410. With
     * {@code Prefer: wait=N} (RFC 7240 §4.3) an undecided poll is held until the person decides, at most
     * {@code aauth.maxPollWait} seconds and the request's remaining lifetime ({@link PollHold}), and the
     * answer carries {@code Preference-Applied}.
     */
    public Response poll(RequestView request, String id) {
        AgentTokens.Agent agent = authenticate(request, null);
        Map<String, String> rec = ownRecord(agent, id);
        describe(rec);
        Response done = terminal(id, rec, now);
        if (done != null) {
            return done;
        }
        long asked = PreferWait.parse(request.header("prefer"));
        long remaining = Math.max(0, Long.parseLong(rec.get(PendingStore.EXPIRES_AT)) - now);
        long wait = asked <= 0 ? 0 : Math.min(Math.min(asked, settings.realm().maxPollWait()), remaining);
        if (wait == 0 || !PollHold.hold(realm.getId(), settings.realm().maxHeldPolls(), wait * 1000, () -> !undecided(store.pending.get(id)))) {
            return pendingAnswer(id, rec, 1, null);
        }
        String applied = PreferWait.applied(wait);
        Map<String, String> latest = store.pending.get(id);
        if (latest == null) {
            throw new PsException(AAuthError.GONE, "This pending request has already been answered or withdrawn.");
        }
        describe(latest);
        try {
            done = terminal(id, latest, Time.currentTime());
        } catch (PsException e) {
            throw e.withHeader("Preference-Applied", applied);
        }
        return done != null ? Response.fromResponse(done).header("Preference-Applied", applied).build() : pendingAnswer(id, latest, 0, applied);
    }

    /** The decision line's subject for a pending request: agent, resource, scope and, once decided, the person. */
    private void describe(Map<String, String> rec) {
        decision.agent(rec.get("agent")).resource(rec.get("resource")).scope(splitScope(rec.get("scope"))).user(rec.get("user"))
                .upstreamJti(rec.get(UPSTREAM_JTI));
    }

    /** Undecided: its code unopened or being answered; false once it is decided or gone. */
    private static boolean undecided(Map<String, String> rec) {
        String status = rec == null ? null : rec.get(PendingStore.STATUS);
        return PendingStore.PENDING.equals(status) || PendingStore.INTERACTING.equals(status);
    }

    /** The terminal answer of a pending request at {@code at}, taken exactly once, or null while it waits. */
    private Response terminal(String id, Map<String, String> rec, long at) {
        String status = rec.get(PendingStore.STATUS);
        if (PendingStore.APPROVED.equals(status)) {
            Map<String, String> taken = take(id);
            return ok(approved(taken));
        }
        if (PendingStore.DENIED.equals(status)) {
            take(id);
            throw new PsException(AAuthError.DENIED, "The person declined the request.");
        }
        if (PendingStore.CODE_REUSED.equals(status)) {
            take(id);
            throw new PsException(AAuthError.INVALID_CODE, "The interaction code was presented again after it had been used; start a new request.");
        }
        if (at >= Long.parseLong(rec.get(PendingStore.EXPIRES_AT))) {
            take(id);
            boolean abandoned = PendingStore.expiryError(status) == AAuthError.ABANDONED;
            throw new PsException(abandoned ? AAuthError.ABANDONED : AAuthError.EXPIRED, abandoned
                    ? "The person opened the interaction but did not decide before the request expired."
                    : "The request expired before the person answered.");
        }
        return null;
    }

    /** DELETE {pending} (§Cancel Request): the request ends; later requests to the URL answer 410. */
    public Response cancel(RequestView request, String id) {
        AgentTokens.Agent agent = authenticate(request, null);
        ownRecord(agent, id);
        take(id);
        return Response.noContent().header("Cache-Control", "no-store").build();
    }

    /**
     * POST {pending} (§Agent Response to Clarification): {@code action} is required; this server never
     * asks a clarification and does not take updated requests, so every action is refused with 400.
     */
    public Response action(RequestView request, String id, byte[] body) {
        AgentTokens.Agent agent = authenticate(request, body);
        ownRecord(agent, id);
        String action = JsonBody.parse(request.header("content-type"), body).string("action");
        if (action == null) {
            throw JsonBody.invalid("The body needs an action.");
        }
        if ("clarification_response".equals(action)) {
            throw JsonBody.invalid("No clarification was asked; clarification_response is not expected.");
        }
        if ("updated_request".equals(action)) {
            throw JsonBody.invalid("updated_request is not supported; cancel this request and make a new one.");
        }
        throw JsonBody.invalid("Unknown action '" + action + "'.");
    }

    private Map<String, String> ownRecord(AgentTokens.Agent agent, String id) {
        if (store.isDone(id)) {
            throw new PsException(AAuthError.GONE, "This pending request has already been answered.");
        }
        Map<String, String> rec = store.pending.get(id);
        if (rec == null || !CURRENT.equals(rec.get(PROFILE))) {
            throw new PsException(AAuthError.NOT_FOUND, "There is no pending request at this URL.");
        }
        if (!agent.id().equals(rec.get("agent")) || !agent.provider().equals(rec.get("provider"))
                || !agent.key().thumbprint().equals(rec.get("jkt"))) {
            throw new PsException(AAuthError.ACCESS_DENIED, "This pending request belongs to another agent or key.");
        }
        return rec;
    }

    /** Takes the record for its one terminal answer and remembers the URL as answered. */
    private Map<String, String> take(String id) {
        Map<String, String> taken = store.pending.take(id);
        if (taken == null) {
            throw new PsException(AAuthError.GONE, "This pending request has already been answered.");
        }
        // Contract: 410 until 600 s after the request's end, then 404.
        store.markDone(id, 600);
        return taken;
    }

    /** The 200 body of an approved request, by kind. */
    private Map<String, Object> approved(Map<String, String> rec) {
        String userId = rec.get("user");
        AgentTokens.Agent signer = new AgentTokens.Agent(rec.get("provider"), rec.get("agent"), null, null, Long.parseLong(rec.get("agent_exp")));
        AgentTokens.Agent holder = storedHolder(rec);
        switch (rec.get(KIND)) {
            case MISSION: {
                String s256 = rec.get("mission_s256");
                Map<String, String> mission = store.mission(s256);
                if (mission == null) {
                    throw new PsException(AAuthError.SERVER_ERROR, "The approved mission could not be found.");
                }
                Map<String, Object> tokens = new LinkedHashMap<>();
                for (String resource : approvedResources(mission)) {
                    tokens.put(resource, personToken(userId, resource, signer, holder, s256, null, null).get("token"));
                }
                Map<String, Object> out = map("s256", s256, "mission", mission.get("blob"));
                if (!tokens.isEmpty()) {
                    out.put("person_tokens", tokens);
                }
                return out;
            }
            case PERSON: {
                Map<String, String> issued = personToken(userId, rec.get("resource"), signer, holder, rec.get("mission_s256"), rec.get("tenant"),
                        rec.get(UPSTREAM_JTI));
                return map("person_token", issued.get("token"), "expires_in", Long.parseLong(issued.get("expires_in")));
            }
            case TOKEN:
                return authToken(rec, holder.key(), Math.min(signer.exp(), holder.exp()));
            case COMPLETION:
                return map("s256", rec.get("mission_s256"), "mission_status", TERMINATED, "termination_reason", "completed");
            default:
                throw new PsException(AAuthError.SERVER_ERROR, "Unknown pending request kind.");
        }
    }

    /**
     * The 202 of a request the person has to review (§Deferred Responses, §Interaction Required):
     * {@code Location}, {@code Retry-After}, {@code Cache-Control: no-store}, and, while the code is
     * unopened, {@code AAuth-Requirement: requirement=interaction; url=…; code=…}.
     */
    private Response pendingAnswer(String id, Map<String, String> rec, long retryAfter, String preferenceApplied) {
        String status = rec.get(PendingStore.STATUS);
        String unopenedCode = PendingStore.PENDING.equals(status) ? rec.get(PendingStore.CODE) : null;
        Response.ResponseBuilder r = Response.status(202)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .header("Location", base(issuer) + "/pending/" + id)
                .header("Retry-After", Long.toString(retryAfter))
                .header("Cache-Control", "no-store");
        if (preferenceApplied != null) {
            r.header("Preference-Applied", preferenceApplied);
        }
        if (unopenedCode != null) {
            r.header("AAuth-Requirement", "requirement=interaction; url=\"" + base(issuer) + "/interaction\"; code=\""
                    + InteractionCode.display(unopenedCode) + "\"");
        }
        return r.entity(Problem.json(map("status", PendingStore.INTERACTING.equals(status) ? "interacting" : "pending"))).build();
    }

    private Response interaction(Map<String, String> notes, AgentTokens.Agent agent) {
        if (!notes.containsKey(PendingStore.REQUIRED_USER)) {
            UserModel bound = store.boundUser(agent.provider(), agent.id());
            if (bound != null) {
                notes.put(PendingStore.REQUIRED_USER, bound.getId());
            }
        }
        String code = InteractionCode.newCode();
        notes.put(PendingStore.CODE, code);
        String id = store.pending.create(notes, code, now, settings.realm().pendingLifespan());
        return pendingAnswer(id, Map.of(PendingStore.STATUS, PendingStore.PENDING, PendingStore.CODE, code), 0, null);
    }

    // ------------------------------------------------------------------ helpers

    /** The signing agent, also named in the decision line (with its provider as the event's client). */
    private AgentTokens.Agent authenticate(RequestView request, byte[] body) {
        AgentTokens.Agent agent = PsAuthenticator.authenticate(request, body, issuer, settings, discovery, this::isProvider, now);
        decision.agent(agent.id()).client(agent.provider());
        return agent;
    }

    /** §Single-Level Depth: a sub-agent never calls the PS itself. */
    private static AgentTokens.Agent topLevel(AgentTokens.Agent agent) {
        if (agent.isSubAgent()) {
            throw new PsException(AAuthError.INVALID_AGENT_TOKEN, "A sub-agent must not call the Person Server; its parent requests on its behalf.");
        }
        return agent;
    }

    /**
     * The agent a token is for: the signer, or with {@code subagent_token} the sub-agent, whose
     * {@code parent_agent} must name the signer (§Parent-Mediated Authorization).
     */
    private AgentTokens.Agent holder(AgentTokens.Agent signer, String subagentToken) {
        if (subagentToken == null) {
            return signer;
        }
        AgentTokens.Agent sub = AgentTokens.verify(subagentToken, "subagent_token", discovery, this::isProvider,
                settings.realm().allowLoopback(), issuer, now);
        if (!signer.id().equals(sub.parentAgent())) {
            throw new PsException(AAuthError.INVALID_AGENT_TOKEN, "The subagent_token's parent_agent does not name the signing agent.");
        }
        if (!DwkJwt.fits(sub.key())) {
            throw new PsException(AAuthError.INVALID_AGENT_TOKEN, "The subagent_token cnf.jwk must carry a fully specified alg matching its key type.");
        }
        return sub;
    }

    private Map<String, String> agentNotes(AgentTokens.Agent agent, String kind) {
        Map<String, String> notes = new LinkedHashMap<>();
        notes.put(PROFILE, CURRENT);
        notes.put(KIND, kind);
        notes.put("agent", agent.id());
        notes.put("provider", agent.provider());
        notes.put("jkt", agent.key().thumbprint());
        notes.put("agent_exp", Long.toString(agent.exp()));
        holderNotes(notes, agent);
        return notes;
    }

    /** The key and identity the eventual token is bound to (the signer's, or a sub-agent's). */
    private static void holderNotes(Map<String, String> notes, AgentTokens.Agent holder) {
        notes.put("holder", holder.id());
        notes.put("holder_provider", holder.provider());
        notes.put("holder_cnf", cnfJwk(holder.key()).toString());
        notes.put("holder_exp", Long.toString(holder.exp()));
    }

    private static AgentTokens.Agent storedHolder(Map<String, String> rec) {
        PublicJwk key;
        try {
            key = PublicJwk.parse(JsonSerialization.mapper.readTree(rec.get("holder_cnf")));
        } catch (Exception e) {
            throw new IllegalStateException("stored key is not a JWK", e);
        }
        long exp = Math.min(Long.parseLong(rec.get("holder_exp")), Long.parseLong(rec.get("agent_exp")));
        return new AgentTokens.Agent(rec.get("holder_provider"), rec.get("holder"), key, null, exp);
    }

    /** {@code cnf.jwk}: the public members with the key's fully specified {@code alg} (§Signature Algorithms). */
    static ObjectNode cnfJwk(PublicJwk key) {
        ObjectNode jwk = key.publicMembers();
        if (key.alg() != null) {
            jwk.put("alg", key.alg());
        }
        return jwk;
    }

    /**
     * §Mission Endpoint Errors / §Mission Status Errors: a mission that does not exist and one of another
     * agent get the same answer ({@code unknown}); a terminated one of this agent gets 403
     * {@code mission_terminated} with its status and reason.
     */
    private Map<String, String> ownMission(String s256, AgentTokens.Agent agent, AAuthError unknown) {
        Map<String, String> mission = store.mission(s256);
        if (mission == null || !agent.id().equals(mission.get("agent")) || !agent.provider().equals(mission.get("provider"))) {
            throw new PsException(unknown, unknown == AAuthError.MISSION_NOT_FOUND ? "No such mission for this agent."
                    : "The mission named is not a mission of this agent.");
        }
        active(mission);
        return mission;
    }

    /** §Mission Status Errors: a terminated mission is 403 {@code mission_terminated} with its status and reason. */
    private static void active(Map<String, String> mission) {
        if (TERMINATED.equals(mission.get("status"))) {
            throw new PsException(AAuthError.MISSION_TERMINATED, "The mission has ended.")
                    .withMember("mission_status", TERMINATED).withMember("termination_reason", mission.getOrDefault("reason", "completed"));
        }
    }

    private boolean isProvider(String iss) {
        return realmView.agent(iss) != null;
    }

    private static List<String> capabilities(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray()) {
            throw JsonBody.invalid("capabilities must be an array of strings.");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode c : node) {
            if (!c.isTextual() || c.asText().length() > JsonBody.MAX_TEXT) {
                throw JsonBody.invalid("capabilities must be an array of strings of at most " + JsonBody.MAX_TEXT + " characters.");
            }
            out.add(c.asText());
        }
        return out;
    }

    static List<String> splitScope(String scope) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String s : (scope == null ? "" : scope.trim()).split("\\s+")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return new ArrayList<>(out);
    }

    static List<String> approvedResources(Map<String, String> mission) {
        List<String> out = new ArrayList<>();
        try {
            JsonNode list = JsonSerialization.mapper.readTree(mission.getOrDefault("resources", "[]"));
            list.forEach(n -> out.add(n.asText()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private UserModel enabledUser(String id) {
        UserModel u = id == null ? null : session.users().getUserById(realm, id);
        return u != null && u.isEnabled() ? u : null;
    }

    private String resource(String value, String member) {
        if (value == null) {
            throw JsonBody.invalid("The request needs " + member + ".");
        }
        String bad = ServerIdentifier.problem(value, settings.realm().allowLoopback());
        if (bad != null) {
            throw JsonBody.invalid(member + " is not a resource identifier: " + bad + ".");
        }
        return value;
    }

    private List<String> resources(JsonNode node) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray() || node.size() > MAX_RESOURCES) {
            throw JsonBody.invalid("resources must be an array of at most " + MAX_RESOURCES + " resource identifiers.");
        }
        for (JsonNode r : node) {
            out.add(resource(r.isTextual() ? r.asText() : null, "every resources entry"));
        }
        return new ArrayList<>(out);
    }

    private static JsonNode tools(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray() || node.size() > MAX_TOOLS) {
            throw JsonBody.invalid("tools must be an array of at most " + MAX_TOOLS + " objects with name and description.");
        }
        ArrayNode out = JsonSerialization.mapper.createArrayNode();
        for (JsonNode t : node) {
            JsonNode name = t.get("name");
            JsonNode description = t.get("description");
            if (!t.isObject() || name == null || !name.isTextual() || name.asText().length() > JsonBody.MAX_TEXT
                    || (description != null && (!description.isTextual() || description.asText().length() > JsonBody.MAX_TEXT))) {
                throw JsonBody.invalid("Every tool must be an object with a string name and a string description, each at most "
                        + JsonBody.MAX_TEXT + " characters.");
            }
            out.add(t.deepCopy());
        }
        return out;
    }

    private static void putIfPresent(Map<String, String> m, String k, String v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Response ok(Map<String, Object> body) {
        return Response.ok(Problem.json(body), MediaType.APPLICATION_JSON_TYPE).header("Cache-Control", "no-store").build();
    }
}
