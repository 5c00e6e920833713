package dev.aauth.keycloak.exchange;

import dev.aauth.keycloak.error.AAuthError;
import dev.aauth.keycloak.error.AAuthException;
import dev.aauth.keycloak.policy.AccessRequest;
import dev.aauth.keycloak.policy.Chaining;
import dev.aauth.keycloak.policy.PolicyDecision;
import dev.aauth.keycloak.policy.RealmView;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Who may act for whom in RFC 8693 token exchange (docs/auth-server-contract.md, "RFC 8693 token
 * exchange"), with no I/O and no clock; the checks and their order are the embedded server's
 * {@code exchange-policy.ts}:
 * <ol>
 *   <li>the actor's own token is no subject token ({@link Chaining#ownTokenReason}) → {@code invalid_grant};</li>
 *   <li>the actor is entitled to the subject token: named by its {@code may_act} (§4.4) when it has
 *       one, else its audience (the token was issued to the actor) → {@code invalid_grant};</li>
 *   <li>the user's attribute {@code aauth.mayAct}, when set, lists the actor → {@code invalid_grant};</li>
 *   <li>the target is an enabled resource of the realm → {@code invalid_target};</li>
 *   <li>the earlier chain is well formed and short enough → {@code invalid_grant};</li>
 *   <li>the scopes follow the realm's grant policy for the actor at the target, with the user carried from
 *       another agent; an exchange cannot ask the user, so scopes that need consent — outside the actor's
 *       {@code aauth.chainScopes}, or in {@code aauth.consentScopes} — are {@code access_denied}.</li>
 * </ol>
 */
public final class ExchangePolicy {

    private ExchangePolicy() {
    }

    /**
     * @param userMayAct the user's {@code aauth.mayAct} list, or null when the attribute is not set
     * @param scope      the requested {@code scope} parameter, or null for every scope the actor may
     *                   obtain at the target (within its {@code aauth.chainScopes}, when it has them)
     */
    public static ExchangeDecision decide(RealmView realm, String actor, SubjectToken subject, List<String> userMayAct,
                                          String target, List<String> scope) {
        String own = Chaining.ownTokenReason(actor, List.of(subject.aud()), subject.agent(), subject.act());
        if (own != null) {
            throw refuse(AAuthError.INVALID_GRANT, "The subject token is not another agent's: " + own + ".");
        }
        if (subject.mayAct() != null) {
            if (!ActClaims.mayActAllows(subject.mayAct(), actor)) {
                throw refuse(AAuthError.INVALID_GRANT, "The subject token's \"may_act\" does not name " + actor + ".");
            }
        } else if (!actor.equals(subject.aud())) {
            throw refuse(AAuthError.INVALID_GRANT, "The subject token was issued to " + subject.aud() + ", not to " + actor + ".");
        }
        if (userMayAct != null && !userMayAct.contains(actor)) {
            throw refuse(AAuthError.INVALID_GRANT, "User " + subject.sub() + " does not allow " + actor + " to act for them (aauth.mayAct).");
        }
        if (target == null) {
            throw refuse(AAuthError.INVALID_TARGET, "Name the target with \"audience\" (or \"resource\").");
        }
        if (!realm.isResource(target)) {
            throw refuse(AAuthError.INVALID_TARGET, target + " is not an enabled resource of this realm.");
        }

        ObjectNode prior;
        try {
            prior = ActClaims.parse(subject.act());
        } catch (IllegalArgumentException e) {
            throw refuse(AAuthError.INVALID_GRANT, "The subject token's \"act\" is malformed: " + e.getMessage() + ".");
        }
        if (prior == null && subject.agent() != null) {
            // An AAuth auth token names its agent in "agent", not "act": that agent is the first actor.
            prior = ActClaims.nest(subject.agent(), null);
        }
        if (ActClaims.chain(prior).size() >= ActClaims.MAX_DEPTH - 1) {
            throw refuse(AAuthError.INVALID_GRANT, "The delegation chain is longer than " + (ActClaims.MAX_DEPTH - 1) + " actors.");
        }

        RealmView.Agent agent = realm.agent(actor);
        List<String> requested = new ArrayList<>();
        if (scope == null) {
            if (agent != null) {
                agent.optionalScopes().values().stream()
                        .filter(s -> target.equals(s.resource()))
                        .filter(s -> agent.chainScopes() == null || agent.chainScopes().contains(s.name()))
                        .forEach(s -> requested.add(s.name()));
            }
        } else {
            requested.addAll(scope);
        }
        // The user is carried from another agent's token: only the actor's chaining policy spares asking them.
        boolean consent = PolicyDecision.evaluate(realm, new AccessRequest(actor, target, false, requested, subject.sub()));
        if (consent) {
            throw refuse(AAuthError.ACCESS_DENIED, "These scopes need the user's approval (not in " + actor
                    + "'s aauth.chainScopes, or in aauth.consentScopes), which token exchange cannot ask for.");
        }
        if (requested.isEmpty()) {
            throw refuse(AAuthError.INVALID_SCOPE, "No scope of " + target + " is granted to " + actor + ".");
        }
        return new ExchangeDecision(ActClaims.nest(actor, prior), List.copyOf(requested));
    }

    /**
     * RFC 8693 §4.1: {@code act} names a party to whom the subject's authority is delegated, so a subject
     * token whose {@code sub} is the actor itself delegates nothing. The token is valid; the request pairing
     * it with this actor is not: {@code invalid_request} (§2.2.2, a subject token unacceptable by policy).
     * Checked on the token's own {@code sub}, before it is resolved to a local user.
     */
    public static void refuseSelfDelegation(String actor, String tokenSub) {
        if (actor.equals(tokenSub)) {
            throw refuse(AAuthError.INVALID_REQUEST, "subject_token: its subject is the actor itself (" + actor
                    + "); an exchange delegates a subject's authority to another party, and no party acts for itself.");
        }
    }

    private static AAuthException refuse(AAuthError error, String message) {
        return new AAuthException(error, message);
    }
}
