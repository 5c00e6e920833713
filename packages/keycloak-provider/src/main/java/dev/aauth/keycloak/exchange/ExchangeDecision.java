package dev.aauth.keycloak.exchange;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** A granted exchange: the new {@code act} chain and the scopes of the delegated token. */
public record ExchangeDecision(ObjectNode act, List<String> scopes) {
}
