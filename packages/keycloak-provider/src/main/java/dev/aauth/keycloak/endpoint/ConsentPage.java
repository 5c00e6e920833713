package dev.aauth.keycloak.endpoint;

import dev.aauth.keycloak.config.RealmSettings;
import dev.aauth.keycloak.pending.PendingStore;
import dev.aauth.keycloak.policy.KeycloakRealmView;
import dev.aauth.keycloak.policy.RealmView;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import org.keycloak.common.util.Time;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.services.Urls;
import org.keycloak.services.managers.AuthenticationManager;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The approve/deny page shown after Keycloak's login (contract "Consent"): agent (client name and id),
 * resource, scopes (consent text, else description, else name), the self-asserted {@code purpose}, and the
 * request's {@code tenant} and {@code domain_hint} (OpenID Connect Enterprise Extensions 1.0).
 * The form carries a one-time token bound to the pending request and the signed-in user; the POST
 * also checks Keycloak's identity cookie names the same user, so the token alone cannot approve.
 * A request whose user an upstream token already named is shown, and decided, only by that user.
 */
public final class ConsentPage {

    static final String TEMPLATE = "aauth-consent.ftl";
    static final String MESSAGE_TEMPLATE = "aauth-message.ftl";
    static final String CODE_TEMPLATE = "aauth-code.ftl";

    private final KeycloakSession session;
    private final RealmModel realm;
    private final PendingStore store;

    public ConsentPage(KeycloakSession session, RealmModel realm) {
        this.session = session;
        this.realm = realm;
        this.store = PendingStore.of(session, realm);
    }

    public Response render(String pendingId, UserSessionModel userSession) {
        long now = (long) Time.currentTime();
        Map<String, String> rec = pendingId == null ? null : store.get(pendingId);
        if (rec == null || !PendingStore.INTERACTING.equals(rec.get(PendingStore.STATUS))
                || now >= Long.parseLong(rec.get(PendingStore.EXPIRES_AT))) {
            return message(session, Response.Status.BAD_REQUEST, "This request is no longer waiting for approval.", true);
        }
        if (!mayDecide(rec, userSession.getUser().getId())) {
            return otherUser(session);
        }
        RealmSettings settings = RealmSettings.of(realm);
        KeycloakRealmView view = new KeycloakRealmView(realm, settings);
        RealmView.Agent agent = view.agent(rec.get("agent"));
        String agentId = rec.get("agent");
        String audience = rec.get("aud");
        boolean self = audience.equals(agentId);

        List<String> scopeTexts = new ArrayList<>();
        for (String s : TokenService.splitScope(rec.get("scope"))) {
            RealmView.Scope scope = agent == null ? null : agent.optionalScopes().get(s);
            scopeTexts.add(scope == null ? s : scope.consentText() + " (" + s + ")");
        }
        long remaining = Long.parseLong(rec.get(PendingStore.EXPIRES_AT)) - now;
        String token = store.newConsentToken(pendingId, userSession.getUser().getId(), userSession.getId(), remaining);

        Map<String, Object> bean = new LinkedHashMap<>();
        bean.put("agentName", agent == null ? agentId : agent.name());
        bean.put("agentId", agentId);
        bean.put("resourceName", self ? "" : view.resourceName(audience));
        bean.put("resourceId", self ? "" : audience);
        bean.put("selfAccess", self);
        bean.put("scopes", scopeTexts);
        bean.put("purpose", rec.getOrDefault("purpose", ""));
        bean.put("tenant", rec.getOrDefault("tenant", ""));
        bean.put("domainHint", rec.getOrDefault("domain_hint", ""));
        bean.put("username", userSession.getUser().getUsername());
        bean.put("token", token);
        bean.put("action", issuer(session, realm) + "/protocol/aauth/interact/consent");
        return session.getProvider(LoginFormsProvider.class)
                .setUser(userSession.getUser())
                .setAttribute("aauth", bean)
                .createForm(TEMPLATE);
    }

    /** POST of the consent form: records approve (with the user's id as {@code sub}) or deny. */
    public Response decide(MultivaluedMap<String, String> form) {
        Submitted submitted = submitted(session, realm, store, form);
        if (submitted.refusal() != null) {
            return submitted.refusal();
        }
        String decision = submitted.decision();
        UserModel user = submitted.user();
        String pendingId = submitted.pendingId();
        Map<String, String> rec = store.get(pendingId);
        long now = (long) Time.currentTime();
        if (rec == null || !PendingStore.INTERACTING.equals(rec.get(PendingStore.STATUS))
                || now >= Long.parseLong(rec.get(PendingStore.EXPIRES_AT))) {
            return message(session, Response.Status.BAD_REQUEST, "This request is no longer waiting for approval.", true);
        }
        if (!mayDecide(rec, user.getId())) {
            return otherUser(session);
        }
        Map<String, String> updated = new LinkedHashMap<>(rec);
        if ("approve".equals(decision)) {
            updated.put(PendingStore.STATUS, PendingStore.APPROVED);
            updated.put("sub", user.getId());
        } else {
            updated.put(PendingStore.STATUS, PendingStore.DENIED);
        }
        store.update(pendingId, updated, now);
        return decided(session, rec, "approve".equals(decision)
                ? "Approved. You can close this window and return to the agent."
                : "Denied. You can close this window.");
    }

    /**
     * The answer to the user's decision on either profile's page: {@code 303} to the agent's
     * {@code callback} when one was given with the code (checked on the agent's origin when the code was
     * opened; 2026-03 §User Interaction, current §Interaction Endpoint), else a page saying {@code text}.
     */
    public static Response decided(KeycloakSession session, Map<String, String> rec, String text) {
        String callback = rec.get(PendingStore.CALLBACK);
        if (callback != null) {
            return Response.seeOther(URI.create(callback)).header("Cache-Control", "no-store").build();
        }
        return message(session, Response.Status.OK, text, false);
    }

    /**
     * A refusal on the current profile's page (§Interaction Callback Errors): {@code 303} to the agent's
     * {@code callback} with {@code error} added to its query when one was given with the code, else a page
     * saying {@code text}.
     */
    public static Response declined(KeycloakSession session, Map<String, String> rec, String error, Response.Status status, String text) {
        String callback = rec.get(PendingStore.CALLBACK);
        if (callback != null) {
            URI target = jakarta.ws.rs.core.UriBuilder.fromUri(callback).queryParam("error", error).build();
            return Response.seeOther(target).header("Cache-Control", "no-store").build();
        }
        return message(session, status, text, status != Response.Status.OK);
    }

    /**
     * The review page with {@code form-action 'self'} and, when the code came with a (validated)
     * {@code callback}, that callback's origin in its {@code Content-Security-Policy}: a browser applies
     * form-action to every redirect that follows the form's submission (CSP3 §6.4.2), so the 303 to the
     * callback must be allowed by name. Keycloak writes the realm's browser security headers after the
     * resource answers and would replace the policy, so they are written here instead, the realm's own
     * values with the directive added (left as configured when the realm's policy has a form-action).
     */
    public static Response withFormAction(KeycloakSession session, RealmModel realm, Response page, String callback) {
        session.getProvider(org.keycloak.headers.SecurityHeadersProvider.class).options().skipHeaders();
        Response.ResponseBuilder r = Response.fromResponse(page);
        Map<String, String> configured = realm.getBrowserSecurityHeaders() == null ? Map.of() : realm.getBrowserSecurityHeaders();
        for (org.keycloak.models.BrowserSecurityHeaders h : org.keycloak.models.BrowserSecurityHeaders.values()) {
            String value = configured.getOrDefault(h.getKey(), h.getDefaultValue());
            if (h == org.keycloak.models.BrowserSecurityHeaders.CONTENT_SECURITY_POLICY) {
                value = formAction(value, callback);
            }
            if (value != null && !value.isEmpty()) {
                r.header(h.getHeaderName(), null).header(h.getHeaderName(), value);
            }
        }
        return r.build();
    }

    static String formAction(String policy, String callback) {
        String base = policy == null ? "" : policy.trim();
        if (base.matches("(?i)(^|.*;)\\s*form-action\\b.*")) {
            return base;
        }
        String directive = "form-action 'self'" + (callback == null ? "" : " " + CallbackTarget.cspSource(callback));
        return base.isEmpty() ? directive : (base.endsWith(";") ? base + " " : base + "; ") + directive;
    }

    /**
     * A request made with an upstream token names its user: consent is that user's to give, and
     * another user may neither approve nor deny it (the request keeps waiting).
     */
    public static boolean mayDecide(Map<String, String> rec, String userId) {
        String required = rec.get(PendingStore.REQUIRED_USER);
        return required == null || required.equals(userId);
    }

    private static Response otherUser(KeycloakSession session) {
        return message(session, Response.Status.FORBIDDEN,
                "This request was made on behalf of another user; only that user can answer it.", true);
    }

    /** A submitted decision form: approve or deny, for the pending request its one-time token names, by its signed-in user; or the page refusing it. */
    public record Submitted(String decision, String pendingId, UserModel user, Response refusal) {
        static Submitted refused(Response page) {
            return new Submitted(null, null, null, page);
        }
    }

    /**
     * Reads the decision form of either profile's page: {@code decision} approve or deny, the one-time
     * {@code consent_token} redeemed, and the browser still signed in as the user it was issued to.
     */
    public static Submitted submitted(KeycloakSession session, RealmModel realm, PendingStore store, MultivaluedMap<String, String> form) {
        String token = form == null ? null : form.getFirst("consent_token");
        String decision = form == null ? null : form.getFirst("decision");
        if (!"approve".equals(decision) && !"deny".equals(decision)) {
            return Submitted.refused(message(session, Response.Status.BAD_REQUEST, "Choose approve or deny.", true));
        }
        Map<String, String> bound = store.redeemConsentToken(token);
        if (bound == null) {
            return Submitted.refused(message(session, Response.Status.BAD_REQUEST, "This form has expired or was already used.", true));
        }
        AuthenticationManager.AuthResult auth = AuthenticationManager.authenticateIdentityCookie(session, realm, true);
        if (auth == null || !auth.getUser().getId().equals(bound.get("user"))) {
            return Submitted.refused(message(session, Response.Status.FORBIDDEN, "Your sign-in session has ended; start again from the agent.", true));
        }
        return new Submitted(decision, bound.get("pending"), auth.getUser(), null);
    }

    /** §User Interaction, manual entry: a form to type the code the agent showed, sent back as {@code ?code=}. */
    static Response codeEntry(KeycloakSession session, RealmModel realm, String callback, String action) {
        Map<String, Object> bean = new LinkedHashMap<>();
        bean.put("action", action);
        bean.put("callback", callback == null ? "" : callback);
        return session.getProvider(LoginFormsProvider.class)
                .setAttribute("aauth", bean)
                .createForm(CODE_TEMPLATE);
    }

    /** A plain page in the login theme with one sentence. */
    public static Response message(KeycloakSession session, Response.Status status, String text, boolean error) {
        Map<String, Object> bean = new LinkedHashMap<>();
        bean.put("text", text);
        bean.put("error", error);
        return session.getProvider(LoginFormsProvider.class)
                .setAttribute("aauth", bean)
                .setStatus(status)
                .createForm(MESSAGE_TEMPLATE);
    }

    public static String issuer(KeycloakSession session, RealmModel realm) {
        return Urls.realmIssuer(session.getContext().getUri().getBaseUri(), realm.getName());
    }
}
