package dev.aauth.keycloak.endpoint;

import dev.aauth.keycloak.config.RealmSettings;
import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import dev.aauth.keycloak.person.PersonReviewPage;
import dev.aauth.keycloak.person.PersonServerService;
import dev.aauth.keycloak.person.PersonServerSettings;
import dev.aauth.keycloak.person.Problem;
import dev.aauth.keycloak.person.PsException;
import dev.aauth.keycloak.protocol.AAuthLoginProtocolFactory;
import dev.aauth.keycloak.signature.RequestView;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.common.util.Time;
import org.keycloak.events.EventBuilder;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.util.function.BiFunction;

/**
 * {@code /realms/{realm}/protocol/aauth/…}: token endpoint, pending URLs and the interaction page
 * (docs/auth-server-contract.md "Identifiers and endpoints"). Signatures are verified inside these
 * methods, not in a global filter, so no other Keycloak endpoint is affected (provider guide §1.5).
 * Every refusal is a JSON 4xx; only an unexpected fault becomes {@code server_error}.
 */
public final class AAuthEndpoint {

    private static final Logger LOG = Logger.getLogger(AAuthEndpoint.class);

    private final KeycloakSession session;
    private final EventBuilder event;
    private final AAuthLoginProtocolFactory factory;

    public AAuthEndpoint(KeycloakSession session, EventBuilder event, AAuthLoginProtocolFactory factory) {
        this.session = session;
        this.event = event;
        this.factory = factory;
    }

    @POST
    @Path("token")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response token(byte[] body) {
        return guarded("token", (s, request) -> s.token(request, body));
    }

    /** RFC 8693 token exchange, signed like a token request (see {@link TokenExchangeService} for why here). */
    @POST
    @Path("token-exchange")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response tokenExchange(byte[] body) {
        return guarded("token-exchange", (s, request) -> s.exchange(request, body));
    }

    @GET
    @Path("pending/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response poll(@PathParam("id") String id) {
        return guarded("pending", (s, request) -> s.poll(request, id));
    }

    @POST
    @Path("pending/{id}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response clarify(@PathParam("id") String id, byte[] body) {
        return guarded(null, (s, request) -> s.clarify(request, id, body));
    }

    @GET
    @Path("interact")
    @Produces(MediaType.TEXT_HTML)
    public Response interact(@QueryParam("code") String code, @QueryParam("callback") String callback) {
        return new InteractionEndpoint(session, event).start(code, callback);
    }

    @POST
    @Path("interact/consent")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response consent(MultivaluedMap<String, String> form) {
        return new ConsentPage(session, session.getContext().getRealm()).decide(form);
    }

    // ---- Person Server, current profile (realm attribute aauth.personServer = "true") ----

    @POST
    @Path("ps/mission")
    @Consumes(MediaType.WILDCARD)
    public Response psMission(byte[] body) {
        return personServer("mission", (s, request) -> s.mission(request, body));
    }

    @POST
    @Path("ps/mission/{s256}")
    @Consumes(MediaType.WILDCARD)
    public Response psMissionAction(@PathParam("s256") String s256, byte[] body) {
        return personServer("mission", (s, request) -> s.missionAction(request, s256, body));
    }

    @POST
    @Path("ps/person")
    @Consumes(MediaType.WILDCARD)
    public Response psPerson(byte[] body) {
        return personServer("person-token", (s, request) -> s.person(request, body));
    }

    @POST
    @Path("ps/token")
    @Consumes(MediaType.WILDCARD)
    public Response psToken(byte[] body) {
        return personServer("ps-token", (s, request) -> s.token(request, body));
    }

    @GET
    @Path("ps/pending/{id}")
    public Response psPoll(@PathParam("id") String id) {
        return personServer("pending", (s, request) -> s.poll(request, id));
    }

    @DELETE
    @Path("ps/pending/{id}")
    public Response psCancel(@PathParam("id") String id) {
        return personServer("ps-cancel", (s, request) -> s.cancel(request, id));
    }

    @POST
    @Path("ps/pending/{id}")
    @Consumes(MediaType.WILDCARD)
    public Response psAction(@PathParam("id") String id, byte[] body) {
        return personServer("ps-pending-post", (s, request) -> s.action(request, id, body));
    }

    @GET
    @Path("ps/interaction")
    @Produces(MediaType.TEXT_HTML)
    public Response psInteraction(@QueryParam("code") String code, @QueryParam("callback") String callback) {
        if (!PersonServerSettings.enabled(session.getContext().getRealm())) {
            return ConsentPage.message(session, Response.Status.NOT_FOUND, "This realm does not run a Person Server.", true);
        }
        return new InteractionEndpoint(session, event).startPersonServer(code, callback);
    }

    /** An agent's relay to the person (§Interaction Request): this PS has no channel of its own to the person. */
    @POST
    @Path("ps/interaction")
    @Consumes(MediaType.WILDCARD)
    public Response psInteractionRelay(byte[] body) {
        return personServer("ps-interaction", (s, request) -> {
            throw new PsException(AAuthError.INTERACTION_UNAVAILABLE,
                    "This Person Server cannot reach the person itself; direct the person to the interaction URL.");
        });
    }

    @POST
    @Path("ps/interaction/decision")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response psDecision(MultivaluedMap<String, String> form) {
        RealmModel realm = session.getContext().getRealm();
        if (!PersonServerSettings.enabled(realm)) {
            return ConsentPage.message(session, Response.Status.NOT_FOUND, "This realm does not run a Person Server.", true);
        }
        return new PersonReviewPage(session, realm).decide(form);
    }

    /**
     * Runs a Person Server endpoint: 404 unless the realm turned it on; every refusal RFC 9457
     * problem+json (draft-hardt-oauth-aauth-protocol §Error Responses); an unexpected fault
     * {@code server_error}. Each answer is one {@link Decision} named {@code decisionName}: an
     * {@code aauth decision} line and, for a grant or refusal, a Keycloak event (contract "Decision log").
     */
    private Response personServer(String decisionName, BiFunction<PersonServerService, RequestView, Response> call) {
        RealmModel realm = session.getContext().getRealm();
        Decision decision = new Decision(decisionName);
        try {
            PersonServerSettings settings = PersonServerSettings.of(realm);
            if (!settings.enabled()) {
                throw new PsException(AAuthError.NOT_FOUND, "This realm does not run a Person Server.");
            }
            String issuer = ConsentPage.issuer(session, realm);
            PersonServerService service = new PersonServerService(session, realm, issuer, settings,
                    factory.discovery(realm.getId(), settings.realm().allowLoopback(), settings.realm().allowPrivateNetwork()),
                    decision, (long) Time.currentTime());
            Response response = call.apply(service, new KeycloakRequestView(session, issuer));
            decision.answered(response.getStatus(), realm, event);
            return response;
        } catch (PsException e) {
            LOG.debugf("AAuth Person Server refusal %s: %s", e.code(), e.getMessage());
            decision.refused(e.code(), e.status(), realm, event);
            return Problem.of(e);
        } catch (RuntimeException e) {
            LOG.error("AAuth Person Server request failed unexpectedly", e);
            decision.refused(AAuthError.SERVER_ERROR.code(), AAuthError.SERVER_ERROR.status(), realm, event);
            return Problem.of(new PsException(AAuthError.SERVER_ERROR, "The Person Server could not process the request."));
        }
    }

    /**
     * Runs an endpoint; {@code decisionName} (null for one that decides nothing) names the
     * {@link Decision} written for its answer: a log line and, for a grant or refusal, an event.
     */
    private Response guarded(String decisionName, BiFunction<TokenService, RequestView, Response> call) {
        RealmModel realm = session.getContext().getRealm();
        Decision decision = new Decision(decisionName);
        try {
            RealmSettings settings = RealmSettings.of(realm);
            String issuer = ConsentPage.issuer(session, realm);
            TokenService service = new TokenService(session, realm, decision, issuer, settings,
                    factory.discovery(realm.getId(), settings.allowLoopback(), settings.allowPrivateNetwork()), (long) Time.currentTime());
            Response response = call.apply(service, new KeycloakRequestView(session, issuer));
            if (decisionName != null) {
                decision.answered(response.getStatus(), realm, event);
            }
            return response;
        } catch (AAuthException e) {
            LOG.debugf("AAuth refusal %s: %s", e.error().code(), e.getMessage());
            if (decisionName != null) {
                decision.refused(e.error(), realm, event);
            }
            return JsonResponses.error(e);
        } catch (RuntimeException e) {
            LOG.error("AAuth request failed unexpectedly", e);
            if (decisionName != null) {
                decision.refused(AAuthError.SERVER_ERROR, realm, event);
            }
            return JsonResponses.error(new AAuthException(AAuthError.SERVER_ERROR, "The auth server could not process the request."));
        }
    }
}
