package dev.aauth.keycloak.protocol;

import dev.aauth.keycloak.endpoint.ConsentPage;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.keycloak.events.EventBuilder;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.AuthenticatedClientSessionModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.ClientData;
import org.keycloak.protocol.LoginProtocol;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * The browser side of AAuth consent (contract "Consent"; provider guide §6). Keycloak runs its own
 * login flow for the interaction page and then calls {@link #authenticated}, which shows the
 * approve/deny page for the pending request named in the authentication session.
 */
public final class AAuthLoginProtocol implements LoginProtocol {

    /** Client note naming the pending request this login is for. */
    public static final String PENDING_NOTE = "aauth.pending";
    /** Client note set when the login is for the Person Server's review page (current profile). */
    public static final String PERSON_SERVER_NOTE = "aauth.personServer";

    private final KeycloakSession session;
    private RealmModel realm;

    AAuthLoginProtocol(KeycloakSession session) {
        this.session = session;
        this.realm = session.getContext().getRealm();
    }

    @Override
    public LoginProtocol setSession(KeycloakSession session) {
        return this;
    }

    @Override
    public LoginProtocol setRealm(RealmModel realm) {
        this.realm = realm;
        return this;
    }

    @Override
    public LoginProtocol setUriInfo(UriInfo uriInfo) {
        return this;
    }

    @Override
    public LoginProtocol setHttpHeaders(HttpHeaders headers) {
        return this;
    }

    @Override
    public LoginProtocol setEventBuilder(EventBuilder event) {
        return this;
    }

    @Override
    public Response authenticated(AuthenticationSessionModel authSession, UserSessionModel userSession, ClientSessionContext ctx) {
        String pendingId = authSession.getClientNote(PENDING_NOTE);
        Response page = "true".equals(authSession.getClientNote(PERSON_SERVER_NOTE))
                ? new dev.aauth.keycloak.person.PersonReviewPage(session, realm).render(pendingId, userSession)
                : new ConsentPage(session, realm).render(pendingId, userSession);
        new org.keycloak.services.managers.AuthenticationSessionManager(session)
                .removeTabIdInAuthenticationSession(realm, authSession);
        return page;
    }

    @Override
    public Response sendError(AuthenticationSessionModel authSession, Error error, String errorMessage) {
        String pendingId = authSession == null ? null : authSession.getClientNote(PENDING_NOTE);
        return ConsentPage.message(session, Response.Status.BAD_REQUEST,
                "The sign-in did not complete (" + error + "). Start again from the agent.", pendingId == null);
    }

    @Override
    public ClientData getClientData(AuthenticationSessionModel authSession) {
        return new ClientData(authSession.getRedirectUri(), null, null, null);
    }

    @Override
    public Response sendError(ClientModel client, ClientData clientData, Error error) {
        return session.getProvider(LoginFormsProvider.class)
                .setError("The sign-in session expired. Start again from the agent.")
                .createErrorPage(Response.Status.BAD_REQUEST);
    }

    @Override
    public Response backchannelLogout(UserSessionModel userSession, AuthenticatedClientSessionModel clientSession) {
        return null;
    }

    @Override
    public Response frontchannelLogout(UserSessionModel userSession, AuthenticatedClientSessionModel clientSession) {
        return null;
    }

    @Override
    public Response finishBrowserLogout(UserSessionModel userSession, AuthenticationSessionModel logoutSession) {
        return null;
    }

    @Override
    public boolean requireReauthentication(UserSessionModel userSession, AuthenticationSessionModel authSession) {
        return false;
    }

    @Override
    public void close() {
    }
}
