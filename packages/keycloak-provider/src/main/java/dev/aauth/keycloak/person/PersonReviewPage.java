package dev.aauth.keycloak.person;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aauth.keycloak.endpoint.ConsentPage;
import dev.aauth.keycloak.pending.PendingStore;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import org.keycloak.common.util.Time;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.util.JsonSerialization;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The person's review page of the Person Server, in the realm's login theme after Keycloak's own login
 * (template {@code aauth-ps-review.ftl}): a mission proposal (description shown as escaped text,
 * tools, resources), an agent asking to act as the person at a resource, or an agent asking for access
 * (resource, scope, justification). The form carries a one-time token bound to the pending request and
 * the signed-in user; the POST also checks Keycloak's identity cookie names the same user.
 *
 * <p>§Agent-Person Binding: an agent bound to a person is reviewed only by that person; approving an
 * unbound agent's request binds it to the approving person. A mission's blob is made and persisted at
 * approval, so its {@code s256} and {@code approved_at} are fixed then (§Mission Identifier).
 */
public final class PersonReviewPage {

    static final String TEMPLATE = "aauth-ps-review.ftl";
    /** §Interaction Callback Errors: the person declined (or the agent acts for another person). */
    private static final String ACCESS_DENIED = "access_denied";

    private final KeycloakSession session;
    private final RealmModel realm;
    private final PsStore store;

    public PersonReviewPage(KeycloakSession session, RealmModel realm) {
        this.session = session;
        this.realm = realm;
        this.store = new PsStore(session, realm);
    }

    public Response render(String pendingId, UserSessionModel userSession) {
        long now = (long) Time.currentTime();
        Map<String, String> rec = waiting(pendingId, now);
        if (rec == null) {
            return ConsentPage.message(session, Response.Status.BAD_REQUEST, "This request is no longer waiting for a decision.", true);
        }
        UserModel user = userSession.getUser();
        if (!ConsentPage.mayDecide(rec, user.getId())) {
            return otherPerson();
        }
        long remaining = Long.parseLong(rec.get(PendingStore.EXPIRES_AT)) - now;
        String token = store.pending.newConsentToken(pendingId, user.getId(), userSession.getId(), remaining);
        String kind = rec.get(PersonServerService.KIND);
        Map<String, Object> bean = new LinkedHashMap<>();
        bean.put("kind", kind);
        bean.put("agentId", rec.get("agent"));
        bean.put("provider", rec.get("provider"));
        bean.put("subAgent", rec.get("agent").equals(rec.get("holder")) ? "" : rec.get("holder"));
        bean.put("newAgent", rec.get(PendingStore.REQUIRED_USER) == null);
        bean.put("chained", rec.get(PersonServerService.UPSTREAM_JTI) != null);
        bean.put("description", rec.getOrDefault("description", ""));
        bean.put("tools", tools(rec.get("tools")));
        bean.put("resources", PersonServerService.MISSION.equals(kind) ? PersonServerService.approvedResources(rec) : List.of());
        bean.put("resource", rec.getOrDefault("resource", ""));
        bean.put("scope", rec.getOrDefault("scope", ""));
        bean.put("justification", rec.getOrDefault("justification", ""));
        bean.put("summary", rec.getOrDefault("summary", ""));
        bean.put("mission", rec.getOrDefault("mission_s256", ""));
        bean.put("username", user.getUsername());
        bean.put("token", token);
        bean.put("action", PersonServerService.base(ConsentPage.issuer(session, realm)) + "/interaction/decision");
        Response page = session.getProvider(LoginFormsProvider.class)
                .setUser(user)
                .setAttribute("aauth", bean)
                .createForm(TEMPLATE);
        return ConsentPage.withFormAction(session, realm, page, rec.get(PendingStore.CALLBACK));
    }

    /** POST of the review form: approve (binding the agent, making the mission) or deny. */
    public Response decide(MultivaluedMap<String, String> form) {
        ConsentPage.Submitted submitted = ConsentPage.submitted(session, realm, store.pending, form);
        if (submitted.refusal() != null) {
            return submitted.refusal();
        }
        String decision = submitted.decision();
        long now = (long) Time.currentTime();
        String pendingId = submitted.pendingId();
        Map<String, String> rec = waiting(pendingId, now);
        if (rec == null) {
            return ConsentPage.message(session, Response.Status.BAD_REQUEST, "This request is no longer waiting for a decision.", true);
        }
        UserModel user = submitted.user();
        if (!ConsentPage.mayDecide(rec, user.getId())) {
            return otherPerson();
        }
        Map<String, String> updated = new LinkedHashMap<>(rec);
        if ("deny".equals(decision)) {
            updated.put(PendingStore.STATUS, PendingStore.DENIED);
            store.pending.update(pendingId, updated, now);
            return ConsentPage.declined(session, rec, ACCESS_DENIED, Response.Status.OK, "Declined. You can close this window.");
        }
        // §Call Chaining: a chained request is the upstream person's to decide; the intermediary acts for
        // many people, so approving binds no agent and records no approval for it.
        boolean chained = rec.get(PersonServerService.UPSTREAM_JTI) != null;
        if (!chained && !store.bind(user, rec.get("provider"), rec.get("agent"))) {
            return ConsentPage.declined(session, rec, ACCESS_DENIED, Response.Status.FORBIDDEN,
                    "This agent acts for another person; only that person can answer its requests.");
        }
        updated.put(PendingStore.STATUS, PendingStore.APPROVED);
        updated.put("user", user.getId());
        String kind = rec.get(PersonServerService.KIND);
        if (PersonServerService.MISSION.equals(kind)) {
            updated.put("mission_s256", approveMission(rec, user, now));
            // Approving the mission approves person tokens for each resource it names.
            PersonServerService.approvedResources(rec).forEach(r -> store.approveResource(user.getId(), rec.get("provider"), rec.get("agent"), r));
        } else if (PersonServerService.PERSON.equals(kind) && !chained) {
            store.approveResource(user.getId(), rec.get("provider"), rec.get("agent"), rec.get("resource"));
        } else if (PersonServerService.COMPLETION.equals(kind)) {
            // §Mission Completion: only the person's acceptance terminates the mission.
            Map<String, String> mission = store.mission(rec.get("mission_s256"));
            if (mission != null) {
                Map<String, String> ended = new LinkedHashMap<>(mission);
                ended.put("status", PersonServerService.TERMINATED);
                ended.put("reason", "completed");
                store.putMission(rec.get("mission_s256"), ended);
            }
        }
        store.pending.update(pendingId, updated, now);
        return ConsentPage.decided(session, rec, "Approved. You can close this window and return to the agent.");
    }

    /** Makes and persists the mission blob (§Mission Approval); returns its s256. */
    private String approveMission(Map<String, String> rec, UserModel user, long now) {
        JsonNode tools = null;
        try {
            tools = rec.get("tools") == null ? null : JsonSerialization.mapper.readTree(rec.get("tools"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        List<String> resources = PersonServerService.approvedResources(rec);
        MissionBlob blob = MissionBlob.approve(ConsentPage.issuer(session, realm), rec.get("agent"),
                new MissionBlob.Proposal(rec.get("description"), tools, resources), now);
        Map<String, String> mission = new LinkedHashMap<>();
        mission.put("agent", rec.get("agent"));
        mission.put("provider", rec.get("provider"));
        mission.put("user", user.getId());
        mission.put("blob", blob.encoded());
        mission.put("status", PersonServerService.ACTIVE);
        mission.put("description", rec.get("description"));
        mission.put("resources", rec.getOrDefault("resources", "[]"));
        store.putMission(blob.s256(), mission);
        return blob.s256();
    }

    private Map<String, String> waiting(String pendingId, long now) {
        Map<String, String> rec = pendingId == null ? null : store.pending.get(pendingId);
        if (rec == null || !PersonServerService.CURRENT.equals(rec.get(PersonServerService.PROFILE))
                || !PendingStore.INTERACTING.equals(rec.get(PendingStore.STATUS))
                || now >= Long.parseLong(rec.get(PendingStore.EXPIRES_AT))) {
            return null;
        }
        return rec;
    }

    private Response otherPerson() {
        return ConsentPage.message(session, Response.Status.FORBIDDEN,
                "This agent acts for another person; only that person can answer its requests.", true);
    }

    private static List<Map<String, String>> tools(String json) {
        List<Map<String, String>> out = new ArrayList<>();
        if (json == null) {
            return out;
        }
        try {
            for (JsonNode t : JsonSerialization.mapper.readTree(json)) {
                out.add(Map.of("name", t.path("name").asText(""), "description", t.path("description").asText("")));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
