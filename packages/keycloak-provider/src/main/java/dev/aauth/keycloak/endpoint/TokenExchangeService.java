package dev.aauth.keycloak.endpoint;

import dev.aauth.keycloak.config.RealmSettings;
import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import dev.aauth.keycloak.exchange.ActClaims;
import dev.aauth.keycloak.exchange.ExchangeDecision;
import dev.aauth.keycloak.exchange.ExchangePolicy;
import dev.aauth.keycloak.exchange.MayActAgents;
import dev.aauth.keycloak.exchange.SubjectToken;
import dev.aauth.keycloak.policy.Chaining;
import dev.aauth.keycloak.policy.KeycloakRealmView;
import dev.aauth.keycloak.policy.LocalSubjects;
import dev.aauth.keycloak.remote.KeyDiscovery;
import dev.aauth.keycloak.signature.RequestView;
import dev.aauth.keycloak.token.AgentTokenVerifier;
import dev.aauth.keycloak.token.DelegatedTokenIssuer;
import dev.aauth.keycloak.token.IssuerKeys;
import dev.aauth.keycloak.token.RealmAccessTokenLiveness;
import dev.aauth.keycloak.token.SubjectTokenVerifier;
import jakarta.ws.rs.core.Response;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

import java.util.List;

/**
 * {@code POST {issuer}/protocol/aauth/token-exchange}: RFC 8693 token exchange with the actor
 * authenticated the AAuth way (docs/auth-server-contract.md, "RFC 8693 token exchange"). Served here
 * rather than at Keycloak's {@code /protocol/openid-connect/token}: that endpoint has the form decoded
 * (the raw bytes are gone, so Content-Digest cannot be checked) and a Keycloak client authenticated
 * before any {@code TokenExchangeProvider} runs.
 *
 * <ol>
 *   <li>the form parses ({@code invalid_request}, {@code unsupported_grant_type});</li>
 *   <li>request signature and actor identity, exactly as at the token endpoint;</li>
 *   <li>{@code actor_token}, if sent: an agent token of the same agent, bound to the signing key ({@code invalid_grant});</li>
 *   <li>{@code subject_token} ({@link SubjectTokenVerifier}, {@code invalid_grant}), whose subject is not the
 *       actor itself ({@code invalid_request}), authorized within
 *       {@code aauth.maxAuthAge}; this realm's OIDC access token still live as Keycloak judges it
 *       ({@link RealmAccessTokenLiveness}, {@code invalid_grant}); naming an enabled local user — a foreign
 *       {@code sub} only through an explicit link ({@link LocalSubjects}; a deleted or disabled user is
 *       {@code access_denied});</li>
 *   <li>policy ({@link ExchangePolicy}), then the realm's chain policy on the new chain ({@code access_denied});</li>
 *   <li>an {@code at+jwt} bound to the actor's key, living no longer than the subject token.</li>
 * </ol>
 */
final class TokenExchangeService {

    private final KeycloakSession session;
    private final RealmModel realm;
    private final Decision decision;
    private final String issuer;
    private final RealmSettings settings;
    private final KeyDiscovery discovery;
    private final IssuerKeys issuerKeys;
    private final KeycloakRealmView realmView;
    private final long now;

    TokenExchangeService(KeycloakSession session, RealmModel realm, Decision decision, String issuer, RealmSettings settings,
                         KeyDiscovery discovery, IssuerKeys issuerKeys, long now) {
        this.session = session;
        this.realm = realm;
        this.decision = decision;
        this.issuer = issuer;
        this.settings = settings;
        this.discovery = discovery;
        this.issuerKeys = issuerKeys;
        this.realmView = new KeycloakRealmView(realm, settings);
        this.now = now;
    }

    Response exchange(RequestView request, byte[] body) {
        List<String> contentType = request.header("content-type");
        TokenExchangeRequest p = TokenExchangeRequest.parse(contentType.isEmpty() ? null : contentType.get(0), body);
        RequestAuthenticator.Agent actor = new RequestAuthenticator(discovery, settings.x509TrustAnchors())
                .authenticate(request, body, issuer, id -> realmView.agent(id) != null, now, settings);
        decision.agent(actor.agentId()).resource(p.target()).scope(p.scope() == null ? null : TokenService.splitScope(p.scope()));
        if (p.actorToken() != null) {
            verifyActorToken(p.actorToken(), actor);
        }
        SubjectTokenVerifier.Verified verified = new SubjectTokenVerifier(issuerKeys)
                .verify(p.subjectToken(), issuer, settings.trustedIssuers(), now);
        ExchangePolicy.refuseSelfDelegation(actor.agentId(), verified.subject().sub());
        String tooOld = Chaining.authAgeReason(verified.authTime(), now, settings.maxAuthAge());
        if (tooOld != null) {
            throw new AAuthException(AAuthError.INVALID_GRANT, "The subject token cannot be carried on: " + tooOld + ".");
        }
        if (verified.realmAccessToken()) {
            // Exchanged only while Keycloak's own endpoints (introspection, UserInfo) would still accept it.
            RealmAccessTokenLiveness.require(session, realm, p.subjectToken());
        }
        UserModel user = LocalSubjects.resolve(session, realm, issuer, verified.iss(), verified.subject().sub(),
                AAuthError.INVALID_GRANT, "subject token");
        SubjectToken subject = verified.subject().as(user.getId());
        decision.user(user.getId());
        List<String> scope = p.scope() == null ? null : TokenService.splitScope(p.scope());
        ExchangeDecision verdict = ExchangePolicy.decide(realmView, actor.agentId(), subject,
                MayActAgents.parse(user.getAttributeStream(MayActAgents.USER_ATTRIBUTE).toList()), p.target(), scope);
        decision.scope(verdict.scopes());
        // Contract "Chain policy": the realm's default, on the chain the new token will carry.
        String refusal = settings.chainLimits().refusal(ActClaims.chain(verdict.act()));
        if (refusal != null) {
            decision.policyReason(refusal);
            throw new AAuthException(AAuthError.ACCESS_DENIED, refusal);
        }
        long lifetime = Math.max(1, Math.min(settings.tokenLifespan(), verified.exp() - now));
        String token = new DelegatedTokenIssuer(session, realm).issue(issuer, p.target(), subject.sub(),
                verdict.act(), actor.key(), verdict.scopes(), now, lifetime);
        String scopes = String.join(" ", verdict.scopes());
        return JsonResponses.json(200, JsonResponses.map(
                "access_token", token,
                "issued_token_type", TokenExchangeRequest.JWT_TYPE,
                // RFC 8693 §2.2.1: bound to the actor's key and presented with an HTTP signature, never as a bearer token.
                "token_type", "N_A",
                "expires_in", lifetime,
                "scope", scopes));
    }

    private void verifyActorToken(String token, RequestAuthenticator.Agent actor) {
        AgentTokenVerifier.Result r;
        try {
            r = new AgentTokenVerifier(discovery).verify(token, issuer, id -> realmView.agent(id) != null, now);
        } catch (AAuthException e) {
            if (e.error().status() >= 500) {
                throw e;
            }
            throw new AAuthException(AAuthError.INVALID_GRANT, "actor_token: " + e.getMessage(), e);
        }
        if (!r.agentId().equals(actor.agentId())) {
            throw new AAuthException(AAuthError.INVALID_GRANT,
                    "actor_token names agent " + r.agentId() + ", but the request is signed by " + actor.agentId() + ".");
        }
        if (!r.cnfKey().thumbprint().equals(actor.key().thumbprint())) {
            throw new AAuthException(AAuthError.INVALID_GRANT, "actor_token cnf.jwk is not the key that signed the request.");
        }
    }
}
