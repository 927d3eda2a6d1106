package dev.atpin.admin;

import dev.atpin.accounts.Account;
import dev.atpin.api.ApiException;
import dev.atpin.auth.ApiTokenAuth;
import dev.atpin.dispatch.ClusterStatus;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The operator admin API ({@code openapi/admin.yaml}). Every call requires an operator's API token. */
@Path("/admin/v1")
@ApiTokenAuth
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

    private final Operators operators;
    private final AdminAccounts accounts;
    private final ClusterStatus cluster;

    AdminResource(Operators operators, AdminAccounts accounts, ClusterStatus cluster) {
        this.operators = operators;
        this.accounts = accounts;
        this.cluster = cluster;
    }

    public record AccountList(List<AccountView> accounts, String next) {}

    public record StatusChange(String reason) {}

    @GET
    @Path("accounts")
    public AccountList accounts(@QueryParam("q") String query, @QueryParam("plan") String plan,
            @QueryParam("status") String status, @QueryParam("after") String after, @QueryParam("limit") String limit) {
        operators.require();
        int pageSize = parseLimit(limit);
        List<AccountView> page = accounts.search(Optional.ofNullable(query).filter(q -> !q.isBlank()),
                Optional.ofNullable(plan), Optional.ofNullable(status), Optional.ofNullable(after), pageSize);
        return new AccountList(page, page.size() == pageSize ? page.getLast().did() : null);
    }

    @GET
    @Path("accounts/{did}")
    public AccountView account(@PathParam("did") String did) {
        operators.require();
        return accounts.get(did);
    }

    @PATCH
    @Path("accounts/{did}")
    @Consumes(MediaType.APPLICATION_JSON)
    public AccountView patch(@PathParam("did") String did, AccountPatch patch) {
        operators.require();
        if (patch == null) {
            throw ApiException.badRequest("BAD_REQUEST_BODY", "send a JSON object with the fields to change");
        }
        return accounts.patch(did, patch);
    }

    @POST
    @Path("accounts/{did}/suspend")
    @Consumes(MediaType.APPLICATION_JSON)
    public AccountView suspend(@PathParam("did") String did, StatusChange change) {
        operators.require();
        return accounts.setStatus(did, Account.SUSPENDED, change == null ? null : change.reason());
    }

    @POST
    @Path("accounts/{did}/resume")
    public AccountView resume(@PathParam("did") String did) {
        operators.require();
        return accounts.setStatus(did, Account.ACTIVE, null);
    }

    @GET
    @Path("queue")
    public Map<String, Object> queue() throws SQLException {
        operators.require();
        return cluster.queue();
    }

    @GET
    @Path("nodes")
    public List<Map<String, Object>> nodes() throws SQLException {
        operators.require();
        return cluster.nodes();
    }

    private static int parseLimit(String limit) {
        if (limit == null) {
            return 50;
        }
        try {
            int n = Integer.parseInt(limit);
            if (n >= 1 && n <= 500) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.badRequest("INVALID_LIMIT", "'limit' must be an integer from 1 to 500");
    }
}
