package dev.atpin.dashboard;

import dev.atpin.dashboard.repo.RepoView;
import dev.atpin.dashboard.usage.UsageView;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import java.util.List;

/** The dashboard's own pages ({@code templates/Pages/*.html}), type-checked at build time. */
@CheckedTemplate(basePath = "Pages")
public final class Pages {

    private Pages() {}

    /** Who is logged in, as every page's header shows it; {@code csrf} goes into each of its forms. */
    public record Me(String did, String handle, String csrf) {
        @Override
        public String toString() {
            return "Me[did=" + did + ", handle=" + handle + "]"; // the CSRF token is a secret of the session
        }
    }

    /** Pin requests by status, for the overview. */
    public record Counts(long queued, long pinning, long pinned, long failed) {}

    static native TemplateInstance landing(String handle, String error);

    /**
     * @param tokens       the user's API tokens, revoked and expired included
     * @param activeTokens those still usable
     */
    static native TemplateInstance overview(Me me, UsageView.Usage usage, Counts counts, RepoView repo, long tokens,
            long activeTokens);

    static native TemplateInstance problem(String title, String message, boolean loginAgain);
}
