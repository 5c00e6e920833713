package dev.aauth.keycloak.endpoint;

import dev.aauth.keycloak.pending.PendingStore;
import dev.aauth.keycloak.protocol.AAuthLoginProtocol;
import dev.aauth.keycloak.protocol.AAuthLoginProtocolFactory;
import jakarta.ws.rs.core.Response;
import org.keycloak.common.util.Time;
import org.keycloak.events.EventBuilder;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.utils.SystemClientUtil;
import org.keycloak.protocol.AuthorizationEndpointBase;
import org.keycloak.protocol.LoginProtocol;
import org.keycloak.sessions.AuthenticationSessionModel;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET {interaction_endpoint}?code=…} (draft-hardt-aauth c465b2d §Token Endpoint "User
 * Interaction"; contract "Consent"). Without a code it shows a form to type one (manual entry),
 * which comes back here as {@code ?code=}. A {@code callback} given with the code must be on the
 * agent's origin or loopback ({@link CallbackTarget}), else a 400 page before any login, with the
 * code left usable. A code presented after it was redeemed ends its request ({@code invalid_code}).
 * Redeems the single-use code, marks the pending request
 * {@code interacting}, and hands the browser to Keycloak's own login flow (SSO cookie reuse, the realm's
 * browser flow and required actions included), which ends in {@link AAuthLoginProtocol#authenticated}.
 *
 * <p>The login runs for Keycloak's system client ({@code account}), not the agent client: the agent
 * client's {@code consentRequired} is AAuth policy, and on the agent client it would also trigger
 * Keycloak's native OAuth grant screen, which cannot show the resource or purpose.
 */
final class InteractionEndpoint extends AuthorizationEndpointBase {

    InteractionEndpoint(KeycloakSession session, EventBuilder event) {
        super(session, event);
    }

    Response start(String code, String callback) {
        checkSsl();
        checkRealm();
        if (code == null || code.isBlank()) {
            return ConsentPage.codeEntry(session, realm, callback, ConsentPage.issuer(session, realm) + "/protocol/aauth/interact");
        }
        // A typed code as the agent may display it: hyphens for readability (the code has none), spaces, lower case.
        return login(code.replaceAll("[-\\s]", "").toUpperCase(Locale.ROOT), callback, false);
    }

    /**
     * {@code GET {issuer}/protocol/aauth/ps/interaction?code=…[&callback=…]}: the Person Server's page
     * (draft-hardt-oauth-aauth-protocol §Interaction Code Format: hyphens dropped, case and the
     * I/L/O aliases folded; §Interaction Endpoint: {@code callback}). The same single-use code handling,
     * callback rule ({@link CallbackTarget}, on the origin of the request's agent provider) and Keycloak
     * login as the 2026-03 page. A code that names no request counts against the client address: past
     * {@link PendingStore#MAX_GUESSES} within {@link PendingStore#GUESS_SECONDS} the address gets
     * {@code 429} with {@code Retry-After} for every code, so the page cannot be used to search the code space.
     */
    Response startPersonServer(String code, String callback) {
        checkSsl();
        checkRealm();
        if (code == null || code.isBlank()) {
            return ConsentPage.codeEntry(session, realm, callback, dev.aauth.keycloak.person.PersonServerService.base(ConsentPage.issuer(session, realm)) + "/interaction");
        }
        PendingStore store = PendingStore.of(session, realm);
        String address = session.getContext().getConnection().getRemoteAddr();
        long now = (long) Time.currentTime();
        long wait = store.guessRetryAfter(address, now);
        if (wait > 0) {
            Response page = ConsentPage.message(session, Response.Status.TOO_MANY_REQUESTS,
                    "Too many unknown interaction codes were tried from here. Try again in " + ((wait + 59) / 60) + " minute(s).", true);
            return Response.fromResponse(page).header("Retry-After", Long.toString(wait)).build();
        }
        String typed = dev.aauth.keycloak.person.InteractionCode.normalize(code);
        if (typed == null || (store.peekCode(typed) == null && store.usedCode(typed) == null)) {
            store.guessFailed(address, now);
            return ConsentPage.message(session, Response.Status.BAD_REQUEST, "This interaction code is unknown, expired or already used.", true);
        }
        return login(typed, callback, true);
    }

    /** Redeems the code and hands the browser to Keycloak's login; {@code personServer} picks the profile's records and page. */
    private Response login(String typed, String callback, boolean personServer) {
        PendingStore store = PendingStore.of(session, realm);
        String peekedId = store.peekCode(typed);
        Map<String, String> peekedRec = peekedId == null ? null : store.get(peekedId);
        if (peekedRec != null && personServer != "current".equals(peekedRec.get("profile"))) {
            // A code of the other profile's endpoint means nothing here, and is left usable there.
            return ConsentPage.message(session, Response.Status.BAD_REQUEST, "This interaction code is unknown, expired or already used.", true);
        }
        if (callback != null) {
            String peeked = store.peekCode(typed);
            Map<String, String> target = peeked == null ? null : store.get(peeked);
            // The 2026-03 records name the agent by its URL; the current profile's name its provider (the agent token's iss).
            if (target != null && !CallbackTarget.allowed(callback, target.get(personServer ? "provider" : "agent"))) {
                return ConsentPage.message(session, Response.Status.BAD_REQUEST,
                        "The agent asked to be sent back to an address that is not its own; return to the agent and start again.", true);
            }
        }
        long now = (long) Time.currentTime();
        String pendingId = store.redeemCode(typed, now);
        if (pendingId == null) {
            endIfReused(store, typed, now);
        }
        Map<String, String> rec = pendingId == null ? null : store.get(pendingId);
        if (rec == null || now >= Long.parseLong(rec.get(PendingStore.EXPIRES_AT))
                || !PendingStore.PENDING.equals(rec.get(PendingStore.STATUS))) {
            return ConsentPage.message(session, Response.Status.BAD_REQUEST,
                    "This interaction code is unknown, expired or already used.", true);
        }
        Map<String, String> updated = new LinkedHashMap<>(rec);
        updated.put(PendingStore.STATUS, PendingStore.INTERACTING);
        if (callback != null) {
            updated.put(PendingStore.CALLBACK, callback);
        }
        store.update(pendingId, updated, now);

        ClientModel client = SystemClientUtil.getSystemClient(realm);
        AuthenticationSessionModel authSession = createAuthenticationSession(client, null);
        authSession.setProtocol(AAuthLoginProtocolFactory.PROTOCOL_ID);
        authSession.setAction(AuthenticationSessionModel.Action.AUTHENTICATE.name());
        authSession.setClientNote(AAuthLoginProtocol.PENDING_NOTE, pendingId);
        if (personServer) {
            authSession.setClientNote(AAuthLoginProtocol.PERSON_SERVER_NOTE, "true");
        }
        authSession.setRedirectUri(ConsentPage.issuer(session, realm) + (personServer ? "/protocol/aauth/ps/interaction" : "/protocol/aauth/interact"));
        String hint = rec.get("login_hint");
        if (hint != null) {
            // The username form pre-fills from this OIDC client note (OIDC Core §3.1.2.1 login_hint).
            authSession.setClientNote("login_hint", hint);
        }
        LoginProtocol protocol = session.getProvider(LoginProtocol.class, AAuthLoginProtocolFactory.PROTOCOL_ID);
        return handleBrowserAuthenticationRequest(authSession, protocol, false, true);
    }

    /**
     * §Interaction Code Security: a code is single use. Presented again while its request is undecided,
     * it has reached a second browser (forwarded or intercepted): the request ends, and its next poll
     * answers {@code 410 invalid_code}.
     */
    private static void endIfReused(PendingStore store, String code, long now) {
        String id = store.usedCode(code);
        Map<String, String> rec = id == null ? null : store.get(id);
        if (rec == null || now >= Long.parseLong(rec.get(PendingStore.EXPIRES_AT))) {
            return;
        }
        String status = rec.get(PendingStore.STATUS);
        if (PendingStore.PENDING.equals(status) || PendingStore.INTERACTING.equals(status)) {
            Map<String, String> ended = new LinkedHashMap<>(rec);
            ended.put(PendingStore.STATUS, PendingStore.CODE_REUSED);
            store.update(id, ended, now);
        }
    }
}
