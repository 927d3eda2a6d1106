package dev.atpin;

import dev.atpin.auth.MintTokenCommand;
import dev.atpin.db.EmbeddedDatabase;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Entry point of the packaged service.
 *
 * <p>Before Quarkus reads its runtime configuration we start the embedded PostgreSQL when no
 * datasource is configured, so that {@code java -jar} works with no set-up at all. With
 * {@code mint-token DID [scopes]} as arguments it runs the operator CLI instead of the server.
 */
@QuarkusMain
public class AtpinMain {

    public static void main(String... args) {
        EmbeddedDatabase.startIfNoDatasourceConfigured();
        if (args.length > 0 && MintTokenCommand.NAME.equals(args[0])) {
            // A one-shot command next to a running service: no background work, and stdout holds
            // the token alone (logs go to stderr).
            System.setProperty("quarkus.scheduler.enabled", "false");
            System.setProperty("quarkus.http.host-enabled", "false");
            System.setProperty("quarkus.banner.enabled", "false");
            System.setProperty("quarkus.log.console.stderr", "true");
            System.setProperty("atpin.dispatch.enabled", "false");
            System.setProperty("atpin.watcher.enabled", "false");
            Quarkus.run(MintTokenCommand.class, args);
        } else {
            Quarkus.run(args);
        }
    }
}
