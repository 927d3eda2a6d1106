package dev.atpin;

import dev.atpin.auth.MintTokenCommand;
import dev.atpin.db.EmbeddedDatabase;
import dev.atpin.operators.keycloak.KeycloakSetupCommand;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Entry point of the packaged service.
 *
 * <p>Before Quarkus reads its runtime configuration we start the embedded PostgreSQL when no
 * datasource is configured, so that {@code java -jar} works with no set-up at all. With
 * {@code mint-token DID [scopes]} or {@code keycloak-setup} as arguments it runs that operator command
 * instead of the server.
 */
@QuarkusMain
public class AtpinMain {

    public static void main(String... args) {
        EmbeddedDatabase.startIfNoDatasourceConfigured();
        String command = args.length > 0 ? args[0] : "";
        if (command.equals(MintTokenCommand.NAME) || command.equals(KeycloakSetupCommand.NAME)) {
            // A one-shot command next to a running service: no background work, no operator login, and stdout
            // holds the command's answer alone (logs go to stderr).
            System.setProperty("quarkus.scheduler.enabled", "false");
            System.setProperty("quarkus.http.host-enabled", "false");
            System.setProperty("quarkus.banner.enabled", "false");
            System.setProperty("quarkus.log.console.stderr", "true");
            System.setProperty("atpin.dispatch.enabled", "false");
            System.setProperty("atpin.watcher.enabled", "false");
            System.setProperty("atpin.operators.oidc.enabled", "false");
            Quarkus.run(command.equals(MintTokenCommand.NAME) ? MintTokenCommand.class : KeycloakSetupCommand.class, args);
        } else {
            Quarkus.run(args);
        }
    }
}
