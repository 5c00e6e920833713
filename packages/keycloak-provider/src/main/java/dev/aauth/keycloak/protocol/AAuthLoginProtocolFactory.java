package dev.aauth.keycloak.protocol;

import dev.aauth.keycloak.endpoint.AAuthEndpoint;
import dev.aauth.keycloak.remote.AddressGuard;
import dev.aauth.keycloak.remote.KeyDiscovery;
import dev.aauth.keycloak.remote.RemoteJsonFetcher;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.common.util.Time;
import org.keycloak.events.EventBuilder;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.LoginProtocol;
import org.keycloak.protocol.LoginProtocolFactory;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.ClientScopeRepresentation;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Mounts AAuth at {@code /realms/{realm}/protocol/aauth} (provider guide §1.2: Keycloak routes
 * {@code {realm}/protocol/{id}} to the login protocol with that id, which a realm resource cannot
 * serve). The same factory's {@link LoginProtocol} receives the browser login's
 * {@code authenticated()} callback for the consent page.
 *
 * <p>Application-scoped: it holds the remote fetchers and their caches, one per realm and
 * address-guard mode, so one realm's callers cannot exhaust another realm's connection pool or
 * evict its cache. Per-request objects are created in {@link #create} and
 * {@link #createProtocolEndpoint}.
 */
public final class AAuthLoginProtocolFactory implements LoginProtocolFactory {

    public static final String PROTOCOL_ID = "aauth";
    private static final Logger LOG = Logger.getLogger(AAuthLoginProtocolFactory.class);

    private int timeoutMillis = 5000;
    /** One fetcher (connection pool and cache) per realm id and guard mode, made on first use. */
    private final Map<String, RemoteJsonFetcher> fetchers = new ConcurrentHashMap<>();

    @Override
    public final String getId() {
        return PROTOCOL_ID;
    }

    @Override
    public final void init(Config.Scope config) {
        timeoutMillis = config.getInt("fetchTimeoutMillis", 5000);
    }

    @Override
    public final void postInit(KeycloakSessionFactory factory) {
        LOG.infof("AAuth protocol endpoint ready (remote fetch timeout %d ms)", timeoutMillis);
        // A removed realm's fetchers (connections, cache) go with it.
        factory.register(event -> {
            if (event instanceof RealmModel.RealmRemovedEvent removed) {
                String prefix = removed.getRealm().getId() + "|";
                fetchers.entrySet().removeIf(e -> {
                    if (!e.getKey().startsWith(prefix)) {
                        return false;
                    }
                    try {
                        e.getValue().close();
                    } catch (IOException ex) {
                        LOG.debug("closing fetcher", ex);
                    }
                    return true;
                });
            }
        });
    }

    @Override
    public final void close() {
        for (RemoteJsonFetcher f : fetchers.values()) {
            try {
                f.close();
            } catch (IOException e) {
                LOG.debug("closing fetcher", e);
            }
        }
    }

    /**
     * Key discovery for a realm: loopback fetches only when the realm sets aauth.allowLoopback=true,
     * private-network fetches only with aauth.allowPrivateNetwork=true.
     */
    public KeyDiscovery discovery(String realmId, boolean allowLoopback, boolean allowPrivateNetwork) {
        String key = realmId + (allowLoopback ? "|loopback" : "|") + (allowPrivateNetwork ? "|private" : "|");
        return new KeyDiscovery(fetchers.computeIfAbsent(key,
                // Time.currentTime (seconds, int): in every 26.x, unlike currentTimeSeconds (not in 26.4).
                k -> new RemoteJsonFetcher(new AddressGuard(allowLoopback, allowPrivateNetwork), timeoutMillis, Time::currentTime)));
    }

    @Override
    public LoginProtocol create(KeycloakSession session) {
        return new AAuthLoginProtocol(session);
    }

    @Override
    public Object createProtocolEndpoint(KeycloakSession session, EventBuilder event) {
        return new AAuthEndpoint(session, event, this);
    }

    @Override
    public Map<String, ProtocolMapperModel> getBuiltinMappers() {
        return Map.of();
    }

    /** AAuth adds no client scopes to new realms: scopes come from the realm JSON. */
    @Override
    public void createDefaultClientScopes(RealmModel newRealm, boolean addScopesToExistingClients) {
    }

    @Override
    public void setupClientDefaults(ClientRepresentation rep, ClientModel newClient) {
    }

    @Override
    public void addClientScopeDefaults(ClientScopeRepresentation clientModel) {
    }

    /**
     * Agents and resources stay openid-connect clients; "aauth" is not offered as a client protocol.
     * No {@code @Override}: Keycloak 26.7's LoginProtocolFactory has this method and 26.4's does not,
     * and the provider runs on both (README "Install into your Keycloak"); on 26.4 the console lists
     * "aauth" among client protocols too, which changes nothing for agents and resources.
     */
    public boolean allowAsClientProtocol() {
        return false;
    }
}
