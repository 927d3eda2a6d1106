package dev.atpin.operators.keycloak;

import dev.atpin.oauth.OAuthConfig;
import dev.atpin.operators.OperatorRole;
import dev.atpin.operators.OperatorsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.keycloak.OAuth2Constants;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.KeycloakBuilder;
import org.keycloak.admin.client.resource.ClientResource;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.ProtocolMapperRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.jboss.logging.Logger;

/**
 * Provisions Keycloak for the operator console, idempotently (run it at every deploy): the realm when asked to,
 * the console's confidential client with its redirect URIs and secret, its two client roles ({@code atpin-admin}
 * includes {@code atpin-viewer}), and for local runs demo operators and a command-line client. What exists is
 * brought to the wanted state; nothing else in the realm is touched.
 */
@ApplicationScoped
public class KeycloakSetup {

    /** A public client for shells: password grants of the demo operators, tokens for the console's audience. */
    public static final String CLI_CLIENT = "atpin-cli";
    public static final String DEMO_ADMIN = "operator-admin";
    public static final String DEMO_VIEWER = "operator-viewer";

    private static final Logger LOG = Logger.getLogger(KeycloakSetup.class);
    private static final Pattern REALM_URL = Pattern.compile("^(.*)/realms/([^/]+)/?$");

    /** What was done; {@code created} lists what did not exist before. */
    public record Outcome(String realm, List<String> created, List<String> updated) {}

    private final OperatorsConfig config;
    private final OAuthConfig web;

    KeycloakSetup(OperatorsConfig config, OAuthConfig web) {
        this.config = config;
        this.web = web;
    }

    public Outcome run() {
        OperatorsConfig.Keycloak kc = config.keycloak();
        Matcher issuer = config.oidc().authServerUrl().map(u -> REALM_URL.matcher(u.toString()))
                .filter(Matcher::matches).orElse(null);
        String base = kc.url().map(URI::toString).orElseGet(() -> require(issuer, "atpin.operators.keycloak.url").group(1));
        String realmName = kc.realm().orElseGet(() -> require(issuer, "atpin.operators.keycloak.realm").group(2));
        String secret = config.oidc().clientSecret().orElseThrow(() -> new IllegalStateException(
                "set atpin.operators.oidc.client-secret: the secret of the console's client, the same the service uses"));
        List<String> created = new ArrayList<>();
        List<String> updated = new ArrayList<>();
        try (Keycloak admin = connect(base.replaceAll("/$", ""), kc)) {
            RealmResource realm = realm(admin, realmName, kc.createRealm(), created);
            ClientResource console = upsertClient(realm, consoleClient(secret), created, updated);
            for (OperatorRole role : OperatorRole.values()) {
                upsertRole(console, role, created, updated);
            }
            RoleRepresentation viewer = console.roles().get(OperatorRole.VIEWER.roleName()).toRepresentation();
            if (console.roles().get(OperatorRole.ADMIN.roleName()).getRoleComposites().stream()
                    .noneMatch(r -> r.getName().equals(viewer.getName()))) {
                console.roles().get(OperatorRole.ADMIN.roleName()).addComposites(List.of(viewer));
            }
            if (kc.demoPassword().isPresent()) {
                ClientResource cli = upsertClient(realm, cliClient(), created, updated);
                ensureAudienceMapper(cli);
                String consoleId = console.toRepresentation().getId();
                demoUser(realm, consoleId, console, DEMO_ADMIN, OperatorRole.ADMIN, kc.demoPassword().get(), created);
                demoUser(realm, consoleId, console, DEMO_VIEWER, OperatorRole.VIEWER, kc.demoPassword().get(), created);
            }
        }
        LOG.infof("Keycloak realm %s provisioned for the operator console (created %s, updated %s)", realmName, created,
                updated);
        return new Outcome(realmName, created, updated);
    }

    private static Matcher require(Matcher issuer, String setting) {
        if (issuer == null) {
            throw new IllegalStateException("set " + setting + ", or atpin.operators.oidc.auth-server-url to "
                    + "<keycloak>/realms/<realm>");
        }
        return issuer;
    }

    private static Keycloak connect(String base, OperatorsConfig.Keycloak kc) {
        KeycloakBuilder builder = KeycloakBuilder.builder().serverUrl(base).realm(kc.adminRealm());
        if (kc.adminClientId().isPresent()) {
            return builder.grantType(OAuth2Constants.CLIENT_CREDENTIALS).clientId(kc.adminClientId().get())
                    .clientSecret(kc.adminClientSecret().orElseThrow(() -> new IllegalStateException(
                            "set atpin.operators.keycloak.admin-client-secret"))).build();
        }
        return builder.grantType(OAuth2Constants.PASSWORD).clientId("admin-cli")
                .username(kc.adminUsername().orElseThrow(() -> new IllegalStateException(
                        "set atpin.operators.keycloak.admin-username and admin-password (or admin-client-id and secret)")))
                .password(kc.adminPassword().orElseThrow(() -> new IllegalStateException(
                        "set atpin.operators.keycloak.admin-password")))
                .build();
    }

    private static RealmResource realm(Keycloak admin, String name, boolean create, List<String> created) {
        RealmResource realm = admin.realm(name);
        try {
            realm.toRepresentation();
        } catch (WebApplicationException e) {
            if (e.getResponse().getStatus() != 404) {
                throw e;
            }
            if (!create) {
                throw new IllegalStateException("Keycloak has no realm " + name
                        + " (atpin.operators.keycloak.create-realm=true creates it)");
            }
            RealmRepresentation rep = new RealmRepresentation();
            rep.setRealm(name);
            rep.setEnabled(true);
            admin.realms().create(rep);
            created.add("realm " + name);
        }
        return realm;
    }

    private ClientRepresentation consoleClient(String secret) {
        String site = web.publicUrl().toString().replaceAll("/$", "");
        ClientRepresentation c = new ClientRepresentation();
        c.setClientId(config.oidc().clientId());
        c.setName("atpin operator console");
        c.setDescription("Operators of atpin sign in here; its client roles are the operator roles.");
        c.setEnabled(true);
        c.setProtocol("openid-connect");
        c.setPublicClient(false);
        c.setClientAuthenticatorType("client-secret");
        c.setSecret(secret);
        c.setStandardFlowEnabled(true);
        c.setDirectAccessGrantsEnabled(false);
        c.setImplicitFlowEnabled(false);
        c.setServiceAccountsEnabled(false);
        c.setRootUrl(site);
        c.setBaseUrl(site + "/console/");
        c.setRedirectUris(List.of(site + "/console/*"));
        c.setWebOrigins(List.of(site));
        c.setAttributes(Map.of("post.logout.redirect.uris", site + "/console/*",
                "pkce.code.challenge.method", "S256"));
        return c;
    }

    private static ClientRepresentation cliClient() {
        ClientRepresentation c = new ClientRepresentation();
        c.setClientId(CLI_CLIENT);
        c.setName("atpin operator CLI (local runs)");
        c.setEnabled(true);
        c.setProtocol("openid-connect");
        c.setPublicClient(true);
        c.setStandardFlowEnabled(false);
        c.setDirectAccessGrantsEnabled(true);
        c.setImplicitFlowEnabled(false);
        return c;
    }

    private static ClientResource upsertClient(RealmResource realm, ClientRepresentation wanted, List<String> created,
            List<String> updated) {
        List<ClientRepresentation> found = realm.clients().findByClientId(wanted.getClientId());
        if (found.isEmpty()) {
            try (Response r = realm.clients().create(wanted)) {
                expect(r, "create the client " + wanted.getClientId());
            }
            created.add("client " + wanted.getClientId());
            found = realm.clients().findByClientId(wanted.getClientId());
        } else {
            wanted.setId(found.getFirst().getId());
            realm.clients().get(wanted.getId()).update(wanted);
            updated.add("client " + wanted.getClientId());
        }
        return realm.clients().get(found.getFirst().getId());
    }

    private static void upsertRole(ClientResource client, OperatorRole role, List<String> created, List<String> updated) {
        RoleRepresentation wanted = new RoleRepresentation();
        wanted.setName(role.roleName());
        wanted.setDescription(role == OperatorRole.ADMIN
                ? "atpin operators who change accounts (plans, suspension, deletion) and retry the queue"
                : "atpin operators who look at accounts, nodes, queues and the watcher, and change nothing");
        wanted.setClientRole(true);
        boolean exists = client.roles().list().stream().anyMatch(r -> r.getName().equals(role.roleName()));
        if (exists) {
            client.roles().get(role.roleName()).update(wanted);
            updated.add("role " + role.roleName());
        } else {
            client.roles().create(wanted);
            created.add("role " + role.roleName());
        }
    }

    /** Tokens from the CLI client are for the console's audience (the admin API checks it). */
    private void ensureAudienceMapper(ClientResource cli) {
        String name = "audience " + config.oidc().clientId();
        boolean present = cli.getProtocolMappers().getMappers().stream().anyMatch(m -> m.getName().equals(name));
        if (!present) {
            ProtocolMapperRepresentation m = new ProtocolMapperRepresentation();
            m.setName(name);
            m.setProtocol("openid-connect");
            m.setProtocolMapper("oidc-audience-mapper");
            m.setConfig(Map.of("included.client.audience", config.oidc().clientId(), "access.token.claim", "true",
                    "id.token.claim", "false"));
            try (Response r = cli.getProtocolMappers().createMapper(m)) {
                expect(r, "add the audience mapper to " + CLI_CLIENT);
            }
        }
    }

    private static void demoUser(RealmResource realm, String consoleId, ClientResource console, String username,
            OperatorRole role, String password, List<String> created) {
        UserRepresentation wanted = new UserRepresentation();
        wanted.setUsername(username);
        wanted.setEnabled(true);
        wanted.setEmailVerified(true);
        wanted.setEmail(username + "@atpin.invalid");
        wanted.setFirstName("Demo");
        wanted.setLastName(role == OperatorRole.ADMIN ? "Administrator" : "Viewer");
        wanted.setRequiredActions(List.of());
        Optional<UserRepresentation> found = realm.users().searchByUsername(username, true).stream().findFirst();
        String id;
        if (found.isPresent()) {
            id = found.get().getId();
            realm.users().get(id).update(wanted);
        } else {
            try (Response r = realm.users().create(wanted)) {
                expect(r, "create the user " + username);
            }
            id = realm.users().searchByUsername(username, true).getFirst().getId();
            created.add("user " + username);
        }
        CredentialRepresentation credential = new CredentialRepresentation();
        credential.setType(CredentialRepresentation.PASSWORD);
        credential.setValue(password);
        credential.setTemporary(false);
        realm.users().get(id).resetPassword(credential);
        RoleRepresentation rep = console.roles().get(role.roleName()).toRepresentation();
        if (realm.users().get(id).roles().clientLevel(consoleId).listAll().stream()
                .noneMatch(r -> r.getName().equals(rep.getName()))) {
            realm.users().get(id).roles().clientLevel(consoleId).add(List.of(rep));
        }
    }

    private static void expect(Response r, String what) {
        if (r.getStatus() >= 300) {
            throw new IllegalStateException("Keycloak refused to " + what + ": HTTP " + r.getStatus());
        }
    }
}
