package dev.atpin.testing;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.AriaRole;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's Chromium driven by Playwright for Java (no browser download: {@code PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD}).
 * Without Chromium a test is skipped locally and fails under {@code CI=true} (.ci/run installs it).
 */
public final class Chromium implements AutoCloseable {

    public static final Path EXECUTABLE = Path.of(System.getenv().getOrDefault("ATPIN_CHROMIUM", "/usr/bin/chromium"));

    private final Playwright playwright;
    private final Browser browser;

    private Chromium(Playwright playwright, Browser browser) {
        this.playwright = playwright;
        this.browser = browser;
    }

    public static Chromium launch() {
        boolean present = Files.isExecutable(EXECUTABLE);
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("no Chromium at " + EXECUTABLE + " (apt-get install chromium)");
        }
        Assumptions.assumeTrue(present, "no Chromium at " + EXECUTABLE + " (apt-get install chromium)");
        Playwright playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(EXECUTABLE).setHeadless(true)
                .setArgs(List.of("--no-sandbox"))); // tests run as root
        return new Chromium(playwright, browser);
    }

    public Browser browser() {
        return browser;
    }

    /**
     * Our login form, then the PDS's own sign-in and consent pages, as a person uses them; back on our side the
     * page is at {@code <base>/account}.
     */
    public static void logIn(Page page, String base, PdsServer pds, PdsServer.Account account) {
        startLogIn(page, base, pds, account);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Authorize")).click();
        page.waitForURL(base + "/account");
    }

    /** The steps up to the PDS's consent page (signed in, not yet authorized). */
    public static void startLogIn(Page page, String base, PdsServer pds, PdsServer.Account account) {
        page.navigate(base + "/");
        page.getByLabel("Handle or DID").fill(account.handle());
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Log in")).click();
        page.waitForURL(Pattern.compile(Pattern.quote(pds.pdsUrl()) + "/oauth/authorize.*"));
        page.locator("input[name=password]").fill(account.password());
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
    }

    @Override
    public void close() {
        browser.close();
        playwright.close();
    }
}
