package dev.atpin.testing;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Logs a PDS account into the service's dashboard the way a person does: the login form, sign-in and consent
 * at the PDS ({@link PdsSignIn}), back through our callback, landing on the account page.
 */
public final class DashboardLogin {

    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    private DashboardLogin() {}

    /** A browser logged into the dashboard at {@code base}, and the CSRF token of its session. */
    public record LoggedIn(Browser browser, String base, String csrf) {}

    /** The steps up to the PDS: the login form's redirect to the authorization server. */
    public static String startLogin(Browser browser, String base, String handle) {
        HttpResponse<String> started = browser.postForm(base + "/login", Map.of("handle", handle));
        if (started.statusCode() != 303) {
            throw new AssertionError("POST /login answered " + started.statusCode() + ": " + started.body());
        }
        return Browser.location(started);
    }

    public static LoggedIn login(String base, PdsServer.Account account) {
        Browser browser = new Browser();
        String authorize = startLogin(browser, base, account.handle());
        String callback = PdsSignIn.authorize(browser, authorize, account);
        HttpResponse<String> back = browser.get(callback);
        if (back.statusCode() != 303 || !Browser.location(back).endsWith("/account")) {
            throw new AssertionError("the callback answered " + back.statusCode() + ": " + back.body());
        }
        HttpResponse<String> page = browser.get(base + "/account");
        return new LoggedIn(browser, base, csrfOf(page.body()));
    }

    /** The CSRF token in a page's forms. */
    public static String csrfOf(String html) {
        Matcher m = CSRF.matcher(html);
        if (!m.find()) {
            throw new AssertionError("no CSRF field in the page: " + html);
        }
        return m.group(1);
    }
}
