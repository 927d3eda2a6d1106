package dev.atpin.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.atpin.accounts.Account;
import dev.atpin.accounts.Plans;
import dev.atpin.admin.AccountDeletion;
import dev.atpin.admin.AccountPatch;
import dev.atpin.admin.AccountPins;
import dev.atpin.admin.AccountView;
import dev.atpin.admin.AdminAccounts;
import dev.atpin.admin.OperatorAudit;
import dev.atpin.api.ApiException;
import dev.atpin.api.ApiExceptionMapper;
import dev.atpin.operators.Operator;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestForm;

/**
 * The console's account pages: find accounts, look at one (usage, plan, overrides, status, its audit trail,
 * its pins), and, for admins, change its plan and overrides, suspend or resume it, delete it. Every form sends
 * the version the operator saw: a change made meanwhile by someone else is not overwritten.
 */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
public class ConsoleAccountsResource {

    private static final Logger LOG = Logger.getLogger(ConsoleAccountsResource.class);
    private static final int PAGE = 50;

    private final ConsoleSession session;
    private final AdminAccounts accounts;
    private final AccountDeletion deletion;
    private final AccountPins pins;
    private final OperatorAudit audit;
    private final Plans plans;

    ConsoleAccountsResource(ConsoleSession session, AdminAccounts accounts, AccountDeletion deletion, AccountPins pins,
            OperatorAudit audit, Plans plans) {
        this.session = session;
        this.accounts = accounts;
        this.deletion = deletion;
        this.pins = pins;
        this.audit = audit;
        this.plans = plans;
    }

    @GET
    public Response home() {
        return ConsoleHtml.seeOther("/console/accounts");
    }

    /** Anonymous visitors never get here: the HTTP policy sends them to the identity provider first. */
    @GET
    @Path("login")
    public Response login(@QueryParam("next") String next) {
        boolean local = next != null && next.startsWith("/console/") && !next.startsWith("//") && !next.contains("\\");
        return ConsoleHtml.seeOther(local ? next : "/console/accounts");
    }

    /** The OIDC extension handles this path for a signed-in operator; anyone else lands here. */
    @GET
    @Path("logout")
    public Response logout() {
        return ConsoleHtml.seeOther("/console/signed-out");
    }

    @GET
    @Path("signed-out")
    public Response signedOut() {
        return ConsoleHtml.page(200, ConsolePages.signedOut());
    }

    @GET
    @Path("accounts")
    public Response list(@Context UriInfo uri, @QueryParam("q") String q, @QueryParam("status") String status,
            @QueryParam("after") String after, @QueryParam("notice") String notice) {
        Operator who = session.operator(uri);
        String query = q == null ? "" : q.strip();
        Optional<String> state = Optional.ofNullable(status).filter(s -> s.equals(Account.ACTIVE) || s.equals(Account.SUSPENDED));
        List<AccountView> page = accounts.search(Optional.of(query).filter(s -> !s.isEmpty()), Optional.empty(), state,
                Optional.ofNullable(after), PAGE);
        String next = page.size() == PAGE ? page.getLast().did() : null;
        return ConsoleHtml.page(200, ConsolePages.accounts(session.nav(who, "accounts"), query, state.orElse(""), page, next,
                notice));
    }

    @GET
    @Path("accounts/{did}")
    public Response account(@Context UriInfo uri, @PathParam("did") String did, @QueryParam("notice") String notice)
            throws SQLException {
        Operator who = session.operator(uri);
        return accountPage(who, did, 200, null, notice);
    }

    @GET
    @Path("accounts/{did}/pins")
    public Response accountPins(@Context UriInfo uri, @PathParam("did") String did, @QueryParam("status") String status,
            @QueryParam("before") String before) throws SQLException {
        Operator who = session.operator(uri);
        AccountView account = found(who, did);
        Optional<Instant> cursor;
        try {
            cursor = Optional.ofNullable(before).filter(b -> !b.isBlank()).map(Instant::parse);
        } catch (DateTimeParseException e) {
            cursor = Optional.empty();
        }
        Optional<String> state = Optional.ofNullable(status).filter(s -> !s.isBlank());
        List<AccountPins.Pin> page = pins.list(did, state, cursor, PAGE);
        String next = page.size() == PAGE ? page.getLast().created() : null;
        return ConsoleHtml.page(200, ConsolePages.pins(session.nav(who, "accounts"), account, page, state.orElse(""), next));
    }

    @POST
    @Path("accounts/{did}/plan")
    public Response changePlan(@Context UriInfo uri, @PathParam("did") String did, @RestForm String csrf,
            @RestForm String version, @RestForm String plan, @RestForm String maxPins, @RestForm String maxBytes,
            @RestForm String maxPinSize, @RestForm String replication, @RestForm String rateLimit) throws SQLException {
        Operator who = session.admin(uri, csrf);
        return change(who, did, () -> {
            AccountPatch patch = new AccountPatch(plan == null || plan.isBlank() ? null : JsonNodeFactory.instance.textNode(plan),
                    override("maximum pins", maxPins), override("maximum bytes", maxBytes),
                    override("maximum pin size", maxPinSize), override("replication", replication),
                    override("rate limit", rateLimit));
            accounts.patch(did, patch, seen(version), who);
            return "Plan and overrides saved.";
        });
    }

    @POST
    @Path("accounts/{did}/suspend")
    public Response suspend(@Context UriInfo uri, @PathParam("did") String did, @RestForm String csrf,
            @RestForm String version, @RestForm String reason) throws SQLException {
        Operator who = session.admin(uri, csrf);
        return change(who, did, () -> {
            accounts.setStatus(did, Account.SUSPENDED, Optional.ofNullable(reason), seen(version), who);
            return "The account is suspended: its pins stay, its writes are refused.";
        });
    }

    @POST
    @Path("accounts/{did}/resume")
    public Response resume(@Context UriInfo uri, @PathParam("did") String did, @RestForm String csrf,
            @RestForm String version, @RestForm String reason) throws SQLException {
        Operator who = session.admin(uri, csrf);
        return change(who, did, () -> {
            accounts.setStatus(did, Account.ACTIVE, Optional.ofNullable(reason), seen(version), who);
            return "The account is active again.";
        });
    }

    @POST
    @Path("accounts/{did}/delete")
    public Response delete(@Context UriInfo uri, @PathParam("did") String did, @RestForm String csrf,
            @RestForm String version, @RestForm String reason, @RestForm String confirm) throws SQLException {
        Operator who = session.admin(uri, csrf);
        if (!did.equals(confirm == null ? "" : confirm.strip())) {
            return accountPage(who, did, 400, "To delete the account, type its DID into the confirmation field.", null);
        }
        try {
            AccountDeletion.Deleted deleted = deletion.delete(did, Optional.ofNullable(reason), seen(version), who);
            return ConsoleHtml.seeOther("/console/accounts?notice=" + URLEncoder.encode("Deleted " + did + " and its "
                    + deleted.pins() + " pin request(s).", StandardCharsets.UTF_8));
        } catch (ApiException e) {
            return accountPage(who, did, ApiExceptionMapper.statusOf(e.kind()), e.details(), null);
        }
    }

    @FunctionalInterface
    private interface Change {
        String apply() throws SQLException;
    }

    /** Applies a change; success goes back to the account (a GET: reloading does not repeat it), a refusal shows why. */
    private Response change(Operator who, String did, Change change) throws SQLException {
        try {
            String notice = change.apply();
            LOG.infof("operator %s changed %s from the console", who.name(), did);
            return ConsoleHtml.seeOther("/console/accounts/" + did + "?notice=" + URLEncoder.encode(notice, StandardCharsets.UTF_8));
        } catch (ApiException e) {
            return accountPage(who, did, ApiExceptionMapper.statusOf(e.kind()), e.details(), null);
        }
    }

    private Response accountPage(Operator who, String did, int status, String error, String notice) throws SQLException {
        AccountView account = found(who, did);
        List<OperatorAudit.Entry> trail = audit.list(Optional.of(did), OptionalLong.empty(), 50);
        return ConsoleHtml.page(status, ConsolePages.account(session.nav(who, "accounts"), account,
                List.copyOf(new java.util.TreeSet<>(plans.names())), trail, error, notice));
    }

    private AccountView found(Operator who, String did) {
        try {
            return accounts.get(did);
        } catch (ApiException e) {
            throw new ConsoleException(ConsoleHtml.page(404, ConsolePages.message(session.nav(who, "accounts"),
                    "No such account", "There is no account " + did + ".", false)));
        }
    }

    /** A form's override field: empty means "the plan's value" (no override). */
    private static JsonNode override(String label, String value) {
        if (value == null || value.isBlank()) {
            return JsonNodeFactory.instance.nullNode();
        }
        try {
            long n = Long.parseLong(value.strip().replace("_", ""));
            if (n >= 0) {
                return JsonNodeFactory.instance.numberNode(n);
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ApiException(ApiException.Kind.INVALID, "INVALID_OVERRIDE", "The " + label + " must be a whole number of 0 or more, or empty for the plan's value.");
    }

    private static OptionalLong seen(String version) {
        try {
            return version == null || version.isBlank() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(version));
        } catch (NumberFormatException e) {
            return OptionalLong.of(-1);
        }
    }
}
