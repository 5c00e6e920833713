package dev.aauth.keycloak.mapper;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aauth.keycloak.exchange.MayActAgents;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.Constants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.oidc.mappers.AbstractOIDCProtocolMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAccessTokenMapper;
import org.keycloak.protocol.oidc.mappers.TokenIntrospectionTokenMapper;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.representations.AccessToken;

import java.util.Arrays;
import java.util.List;

/**
 * Protocol mapper {@code aauth-may-act-mapper}: puts RFC 8693 §4.4 {@code may_act} into the realm's OIDC
 * access tokens, naming the agents that may exchange the token to act for the user
 * (docs/auth-server-contract.md, "RFC 8693 token exchange", rule 5). The agents come from the user's
 * attribute {@code aauth.mayAct} when set, else from this mapper's setting; with neither the token carries
 * no {@code may_act}, and only the client it was issued to may exchange it.
 */
public final class MayActMapper extends AbstractOIDCProtocolMapper implements OIDCAccessTokenMapper, TokenIntrospectionTokenMapper {

    public static final String PROVIDER_ID = "aauth-may-act-mapper";
    /** Mapper setting: the agents (identifier URLs) for users without their own {@code aauth.mayAct}. */
    public static final String AGENTS = "aauth.mayAct";
    static final String CLAIM = "may_act";

    private static final List<ProviderConfigProperty> CONFIG = List.of(agentsProperty());

    private static ProviderConfigProperty agentsProperty() {
        ProviderConfigProperty p = new ProviderConfigProperty();
        p.setName(AGENTS);
        p.setLabel("Agents that may act for the user");
        p.setHelpText("AAuth agent identifiers (URLs) named in the access token's may_act (RFC 8693 §4.4): only they may "
                + "exchange the token at the realm's AAuth token-exchange endpoint. A user's own attribute "
                + MayActAgents.USER_ATTRIBUTE + " (a JSON array) takes the place of this list.");
        p.setType(ProviderConfigProperty.MULTIVALUED_STRING_TYPE);
        return p;
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "AAuth may_act";
    }

    @Override
    public String getDisplayCategory() {
        return TOKEN_MAPPER_CATEGORY;
    }

    @Override
    public String getHelpText() {
        return "Names the AAuth agents that may act for the user (RFC 8693 may_act) in access tokens, from the user "
                + "attribute " + MayActAgents.USER_ATTRIBUTE + " or this mapper's list.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return CONFIG;
    }

    // Always into the access token (the token an agent exchanges) and its introspection: the claim exists for
    // nothing else, so there are no "include in" switches to forget.
    @Override
    public AccessToken transformAccessToken(AccessToken token, ProtocolMapperModel model, KeycloakSession session,
                                            UserSessionModel userSession, ClientSessionContext ctx) {
        return withMayAct(token, model, userSession);
    }

    @Override
    public AccessToken transformIntrospectionToken(AccessToken token, ProtocolMapperModel model, KeycloakSession session,
                                                   UserSessionModel userSession, ClientSessionContext ctx) {
        return withMayAct(token, model, userSession);
    }

    private static AccessToken withMayAct(AccessToken token, ProtocolMapperModel model, UserSessionModel userSession) {
        UserModel user = userSession == null ? null : userSession.getUser();
        JsonNode claim = claim(user == null ? List.of() : user.getAttributeStream(MayActAgents.USER_ATTRIBUTE).toList(),
                model.getConfig() == null ? null : model.getConfig().get(AGENTS));
        if (claim != null) {
            token.getOtherClaims().put(CLAIM, claim);
        }
        return token;
    }

    /**
     * The claim from the user's attribute values when there are any, else from the mapper setting (the
     * console stores a multivalued setting joined by {@code ##}); null when neither names anything.
     */
    static JsonNode claim(List<String> userValues, String setting) {
        List<String> agents = MayActAgents.parse(userValues);
        if (agents == null && setting != null && !setting.isBlank()) {
            agents = MayActAgents.parse(Arrays.asList(setting.split(Constants.CFG_DELIMITER)));
        }
        return agents == null ? null : MayActAgents.claim(agents);
    }
}
