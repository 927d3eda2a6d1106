package dev.atpin.dashboard.repo;

import dev.atpin.dashboard.Pages;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/** The repo sync page ({@code templates/repo/}). */
@CheckedTemplate(basePath = "repo")
final class RepoPages {

    private RepoPages() {}

    static native TemplateInstance repo(Pages.Me me, RepoView repo, String note, String error, String pinCollection);
}
