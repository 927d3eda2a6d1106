package dev.atpin.dashboard.tokens;

import dev.atpin.dashboard.Pages;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import java.util.List;

/** The API tokens page ({@code templates/tokens/}). */
@CheckedTemplate(basePath = "tokens")
final class TokenPages {

    private TokenPages() {}

    /**
     * A token just minted: shown on this one response, never again, with the line that configures Kubo.
     *
     * @param kuboCommand {@code ipfs pin remote service add …} with the token in it
     */
    record Minted(String label, String token, String kuboCommand) {
        @Override
        public String toString() {
            return "Minted[label=" + label + "]"; // the token is shown once, never printed
        }
    }

    static native TemplateInstance tokens(Pages.Me me, List<TokenView> tokens, Minted minted, String error,
            String psaUrl);
}
