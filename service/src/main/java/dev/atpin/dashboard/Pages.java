package dev.atpin.dashboard;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import java.util.List;

/** The dashboard's pages ({@code templates/Pages/*.html}), type-checked at build time. */
@CheckedTemplate(basePath = "Pages")
final class Pages {

    private Pages() {}

    /** What the account page shows about who is logged in. */
    record Me(String did, String handle, String csrf) {
        @Override
        public String toString() {
            return "Me[did=" + did + ", handle=" + handle + "]"; // the CSRF token is a secret of the session
        }
    }

    /** A token just minted: shown on this one response, never again. */
    record Minted(String label, String token) {
        @Override
        public String toString() {
            return "Minted[label=" + label + "]"; // the token is shown once, never printed
        }
    }

    static native TemplateInstance landing(String handle, String error);

    /** The watcher's view of the user's repo; {@code state} is null when it is not enrolled. */
    record Repo(String state, String rev, Long lagSeconds, String lastError, java.util.Map<String, String> problems) {
        public boolean enrolled() {
            return state != null && !"unenrolled".equals(state);
        }
    }

    static native TemplateInstance account(Me me, List<TokenView> tokens, Minted minted, String error, Repo repo);

    static native TemplateInstance problem(String title, String message, boolean loginAgain);
}
