package dev.aauth.keycloak.endpoint;

import dev.aauth.keycloak.error.AAuthError;
import org.jboss.logging.Logger;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.RealmModel;

import java.util.List;
import java.util.Locale;

/**
 * One authorization decision of the token, token-exchange or pending endpoint, or of the Person
 * Server's person, token, mission and pending endpoints, filled in as each
 * part is verified (agent, resource, scope, user) and written once: one line on the
 * {@code dev.aauth.keycloak.decision} logger (the fields of the embedded server's
 * {@code aauth decision} line) and one Keycloak event, {@code TOKEN_EXCHANGE} on a grant and
 * {@code TOKEN_EXCHANGE_ERROR} with the wire error code on a refusal, so both show in the realm's
 * Events tab when events are enabled. Identifiers only: never a token, signature or key.
 */
public final class Decision {

    private static final Logger LOG = Logger.getLogger("dev.aauth.keycloak.decision");
    /** Event detail naming which endpoint decided. */
    static final String DETAIL_DECISION = "aauth_decision";
    static final String DETAIL_AGENT = "aauth_agent";
    static final String DETAIL_UPSTREAM_JTI = "aauth_upstream_jti";

    private final String endpoint;
    private final long startedNanos = System.nanoTime();
    private String agent;
    /** The realm client the event names; the agent's own client unless set (the PS: the agent provider's). */
    private String client;
    private String resource;
    private List<String> scope;
    private String user;
    private String policyReason;
    /** On a chained request (§Call Chaining): the upstream token's {@code jti}; {@link #agent} is the intermediary. */
    private String upstreamJti;

    public Decision(String endpoint) {
        this.endpoint = endpoint;
    }

    public Decision agent(String value) {
        this.agent = value;
        return this;
    }

    /** The realm client of the event, when it is not the agent's own (the Person Server: the agent provider). */
    public Decision client(String clientId) {
        this.client = clientId;
        return this;
    }

    public Decision resource(String value) {
        this.resource = value;
        return this;
    }

    public Decision scope(List<String> value) {
        this.scope = value;
        return this;
    }

    public Decision user(String value) {
        this.user = value;
        return this;
    }

    public Decision upstreamJti(String value) {
        this.upstreamJti = value;
        return this;
    }

    /** A chain policy's refusal (contract "Chain policy"), logged as {@code policy_reason}. */
    Decision policyReason(String value) {
        this.policyReason = value;
        return this;
    }

    /** A 200 (granted) or 202 (pending: waiting for the user; logged, not an event). A poll still waiting is no decision. */
    public void answered(int status, RealmModel realm, EventBuilder event) {
        if (status == 202 && "pending".equals(endpoint)) {
            return;
        }
        String outcome = status == 202 ? "pending" : "granted";
        log(outcome, status, null);
        if (status == 200) {
            eventFor(realm, event).success();
        }
    }

    void refused(AAuthError error, RealmModel realm, EventBuilder event) {
        refused(error.code(), error.status(), realm, event);
    }

    /** A refusal with its wire {@code code} and HTTP {@code status}. */
    public void refused(String code, int status, RealmModel realm, EventBuilder event) {
        log("refused", status, code);
        eventFor(realm, event).error(code);
    }

    private EventBuilder eventFor(RealmModel realm, EventBuilder event) {
        EventBuilder ev = event.clone().event(EventType.TOKEN_EXCHANGE).detail(DETAIL_DECISION, endpoint);
        if (agent != null) {
            ev.detail(DETAIL_AGENT, agent);
            ClientModel model = realm.getClientByClientId(client != null ? client : agent);
            if (model != null) {
                ev.client(model);
            }
        }
        if (resource != null) {
            ev.detail(Details.AUDIENCE, resource);
        }
        if (scope != null && !scope.isEmpty()) {
            ev.detail(Details.SCOPE, String.join(" ", scope));
        }
        if (user != null) {
            ev.user(user);
        }
        if (upstreamJti != null) {
            ev.detail(DETAIL_UPSTREAM_JTI, upstreamJti);
        }
        return ev;
    }

    private void log(String outcome, int status, String error) {
        double ms = (System.nanoTime() - startedNanos) / 1_000_000.0;
        StringBuilder line = new StringBuilder("aauth decision component=auth-server decision=").append(endpoint)
                .append(" outcome=").append(outcome).append(" status=").append(status);
        field(line, "agent", agent);
        field(line, "resource", resource);
        field(line, "scope", scope == null || scope.isEmpty() ? null : String.join(" ", scope));
        field(line, "user", user);
        field(line, "error", error);
        field(line, "policy_reason", policyReason);
        field(line, "upstream_jti", upstreamJti);
        line.append(" duration_ms=").append(String.format(Locale.ROOT, "%.3f", ms));
        LOG.info(line);
    }

    /** {@code name="value"}, quoted with JSON escaping so a value cannot forge another field or line. */
    private static void field(StringBuilder line, String name, String value) {
        if (value == null) {
            return;
        }
        line.append(' ').append(name).append("=\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                line.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                line.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                line.append(c);
            }
        }
        line.append('"');
    }
}
