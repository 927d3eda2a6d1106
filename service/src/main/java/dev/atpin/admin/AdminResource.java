package dev.atpin.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.accounts.Account;
import dev.atpin.api.ApiException;
import dev.atpin.dispatch.ClusterStatus;
import dev.atpin.dispatch.NodeRegistry;
import dev.atpin.operators.Operator;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The operator admin API ({@code openapi/admin.yaml}). Every call needs an operator ({@link AdminAuthFilter});
 * viewers read, only admins change, and every change is in the audit log. Accounts carry a version (also their
 * {@code ETag}): a change sent with {@code If-Match} is refused with 412 when the account changed since.
 */
@Path("/admin/v1")
@AdminAuth
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

    private final CurrentOperator operator;
    private final AdminAccounts accounts;
    private final AccountDeletion deletion;
    private final AccountPins pins;
    private final OperatorAudit audit;
    private final ClusterStatus cluster;
    private final QueueOverview queue;
    private final WatcherOverview watcher;
    private final NodeChanges nodeChanges;
    private final ObjectMapper json;
    private final NodeRegistrations registrations;
    private final NodeRegistry registry;

    AdminResource(CurrentOperator operator, AdminAccounts accounts, AccountDeletion deletion, AccountPins pins,
            OperatorAudit audit, ClusterStatus cluster, QueueOverview queue, WatcherOverview watcher,
            NodeChanges nodeChanges, NodeRegistrations registrations, NodeRegistry registry, ObjectMapper json) {
        this.json = json;
        this.nodeChanges = nodeChanges;
        this.registrations = registrations;
        this.registry = registry;
        this.operator = operator;
        this.accounts = accounts;
        this.deletion = deletion;
        this.pins = pins;
        this.audit = audit;
        this.cluster = cluster;
        this.queue = queue;
        this.watcher = watcher;
    }

    public record AccountList(List<AccountView> accounts, String next) {}

    public record StatusChange(String reason) {}

    public record PinList(List<AccountPins.Pin> pins, String next) {}

    public record AuditList(List<OperatorAudit.Entry> entries, Long next) {}

    public record Retry(String cid, String node) {}

    public record Me(String name, String subject, String role, String via) {}

    @GET
    @Path("me")
    public Me me() {
        Operator who = operator.viewer();
        return new Me(who.name(), who.subject(), who.role().roleName(), who.via().db());
    }

    @GET
    @Path("accounts")
    public AccountList accounts(@QueryParam("q") String query, @QueryParam("plan") String plan,
            @QueryParam("status") String status, @QueryParam("after") String after, @QueryParam("limit") String limit) {
        operator.viewer();
        text("q", query);
        text("plan", plan);
        text("after", after);
        int pageSize = parseLimit(limit, 50, 500);
        List<AccountView> page = accounts.search(Optional.ofNullable(query).filter(q -> !q.isBlank()),
                Optional.ofNullable(plan), Optional.ofNullable(status), Optional.ofNullable(after), pageSize);
        return new AccountList(page, page.size() == pageSize ? page.getLast().did() : null);
    }

    @GET
    @Path("accounts/{did}")
    public Response account(@PathParam("did") String did) {
        operator.viewer();
        return versioned(accounts.get(didOf(did)));
    }

    @PATCH
    @Path("accounts/{did}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response patch(@PathParam("did") String did, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch,
            AccountPatch patch) throws SQLException {
        Operator who = operator.admin();
        if (patch == null) {
            throw ApiException.badRequest("BAD_REQUEST_BODY", "send a JSON object with the fields to change");
        }
        return versioned(accounts.patch(didOf(did), patch, version(ifMatch), who));
    }

    @POST
    @Path("accounts/{did}/suspend")
    public Response suspend(@PathParam("did") String did, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch,
            @Context HttpHeaders headers, InputStream body) throws IOException, SQLException {
        Operator who = operator.admin();
        return versioned(accounts.setStatus(didOf(did), Account.SUSPENDED, reason(change(body, headers)),
                version(ifMatch), who));
    }

    @POST
    @Path("accounts/{did}/resume")
    public Response resume(@PathParam("did") String did, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch,
            @Context HttpHeaders headers, InputStream body) throws IOException, SQLException {
        Operator who = operator.admin();
        return versioned(accounts.setStatus(didOf(did), Account.ACTIVE, reason(change(body, headers)),
                version(ifMatch), who));
    }

    /** Deletes the account and all its pins (their content is unpinned after the grace period). */
    @DELETE
    @Path("accounts/{did}")
    public AccountDeletion.Deleted delete(@PathParam("did") String did, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch,
            @QueryParam("reason") String reason) throws SQLException {
        Operator who = operator.admin();
        return deletion.delete(didOf(did), Optional.ofNullable(text("reason", reason)), version(ifMatch), who);
    }

    @GET
    @Path("accounts/{did}/pins")
    public PinList accountPins(@PathParam("did") String did, @QueryParam("status") String status,
            @QueryParam("before") String before, @QueryParam("limit") String limit) throws SQLException {
        operator.viewer();
        accounts.get(didOf(did));
        int pageSize = parseLimit(limit, 50, 500);
        Optional<Instant> cursor;
        try {
            cursor = Optional.ofNullable(before).map(Instant::parse);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("INVALID_TIMESTAMP", "'before' must be an RFC 3339 timestamp");
        }
        List<AccountPins.Pin> page = pins.list(did, Optional.ofNullable(status), cursor, pageSize);
        return new PinList(page, page.size() == pageSize ? page.getLast().created() : null);
    }

    @GET
    @Path("audit")
    public AuditList audit(@QueryParam("target") String target, @QueryParam("before") String before,
            @QueryParam("limit") String limit) throws SQLException {
        operator.viewer();
        int pageSize = parseLimit(limit, 50, 500);
        OptionalLong beforeId;
        try {
            beforeId = before == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(before));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("INVALID_CURSOR", "'before' is the id of an audit entry");
        }
        List<OperatorAudit.Entry> page = audit.list(Optional.ofNullable(text("target", target)), beforeId, pageSize);
        return new AuditList(page, page.size() == pageSize ? page.getLast().id() : null);
    }

    @GET
    @Path("queue")
    public Map<String, Object> queue() throws SQLException {
        operator.viewer();
        return cluster.queue();
    }

    @GET
    @Path("queue/failures")
    public List<QueueOverview.Failure> failures(@QueryParam("limit") String limit) throws SQLException {
        operator.viewer();
        return queue.recentFailures(parseLimit(limit, 50, 500));
    }

    @POST
    @Path("queue/retry")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response retry(Retry retry) throws SQLException {
        Operator who = operator.admin();
        if (retry == null || retry.cid() == null || retry.node() == null) {
            throw ApiException.badRequest("BAD_REQUEST_BODY", "send {\"cid\": ..., \"node\": ...} of a failed placement");
        }
        queue.retryNow(text("cid", retry.cid()), text("node", retry.node()), who);
        return Response.noContent().build();
    }

    @GET
    @Path("nodes")
    public List<Map<String, Object>> nodes() throws SQLException {
        operator.viewer();
        return cluster.nodes();
    }

    /**
     * Registers a Kubo node by its RPC URL; every replica polls it from then on (peer ID, addresses, space) and it
     * takes placements once it answers. 201 with the node as this replica has just polled it.
     */
    @POST
    @Path("nodes")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response register(NodeRegistrations.Registration registration) throws SQLException {
        Operator who = operator.admin();
        String name = registrations.register(registration, who);
        registry.sync(name); // after the commit: the poll is a Kubo call, never inside the transaction
        return Response.created(URI.create("/admin/v1/nodes/" + name)).entity(cluster.node(name).orElseThrow()).build();
    }

    /** Removes a registered node, once drained and empty (409 otherwise); configured nodes stay (409). */
    @DELETE
    @Path("nodes/{name}")
    public Response deregister(@PathParam("name") String name, @QueryParam("reason") String reason)
            throws SQLException {
        Operator who = operator.admin();
        registrations.deregister(name, Optional.ofNullable(reason), who);
        registry.sync(name);
        return Response.noContent().build();
    }

    @GET
    @Path("nodes/{name}")
    public Map<String, Object> node(@PathParam("name") String name) throws SQLException {
        operator.viewer();
        return cluster.node(nodeName(name)).orElseThrow(() -> ApiException.notFound("no node named " + name));
    }

    /** No new placements on the node; its contents are moved to other nodes, never dropping below their replication. */
    @POST
    @Path("nodes/{name}/drain")
    public Map<String, Object> drain(@PathParam("name") String name, @Context HttpHeaders headers, InputStream body)
            throws IOException, SQLException {
        Operator who = operator.admin();
        return nodeChanges.setDraining(nodeName(name), true, reason(change(body, headers)), who);
    }

    /** The node takes placements again (once it answers its health polls). */
    @POST
    @Path("nodes/{name}/activate")
    public Map<String, Object> activate(@PathParam("name") String name, @Context HttpHeaders headers, InputStream body)
            throws IOException, SQLException {
        Operator who = operator.admin();
        return nodeChanges.setDraining(nodeName(name), false, reason(change(body, headers)), who);
    }

    @GET
    @Path("watcher")
    public WatcherOverview.Overview watcher() throws SQLException {
        operator.viewer();
        return watcher.overview(100);
    }

    private static Response versioned(AccountView view) {
        return Response.ok(view).tag(new EntityTag(String.valueOf(view.version()))).build();
    }

    private static Optional<String> reason(StatusChange change) {
        return change == null ? Optional.empty() : Optional.ofNullable(text("reason", change.reason()));
    }

    /**
     * The optional {@code {"reason": ...}} body of suspend, resume, drain and activate. Read here rather than by
     * JAX-RS: a POST without a body needs no Content-Type (JAX-RS answered it 415, outside the contract; found
     * by fuzzing the admin API). A body that is there must be JSON, as before.
     */
    private StatusChange change(InputStream body, HttpHeaders headers) throws IOException {
        byte[] bytes = body.readAllBytes();
        if (bytes.length == 0) {
            return null;
        }
        MediaType type = headers.getMediaType();
        if (type != null && !type.isCompatible(MediaType.APPLICATION_JSON_TYPE)) {
            throw new NotSupportedException();
        }
        return json.readValue(bytes, StatusChange.class);
    }

    /**
     * PostgreSQL text cannot hold U+0000: a value with one is bad input (400), not a database error (500;
     * found by fuzzing the admin API: a NUL in DELETE's {@code reason}).
     */
    private static String text(String name, String value) {
        if (value != null && value.indexOf('\0') >= 0) {
            throw ApiException.badRequest("INVALID_" + name.toUpperCase(java.util.Locale.ROOT),
                    "'" + name + "' must not contain U+0000");
        }
        return value;
    }

    /** No account's DID holds U+0000: such a path names nothing (404), before it reaches PostgreSQL. */
    private static String didOf(String did) {
        if (did.indexOf('\0') >= 0) {
            throw ApiException.notFound("no account with that DID");
        }
        return did;
    }

    /** No node's name holds U+0000 either. */
    private static String nodeName(String name) {
        if (name.indexOf('\0') >= 0) {
            throw ApiException.notFound("no node with that name");
        }
        return name;
    }

    /** {@code If-Match: "7"} (the account's ETag); absent or {@code *}: any version. */
    static OptionalLong version(String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.strip().equals("*")) {
            return OptionalLong.empty();
        }
        String tag = ifMatch.strip();
        if (tag.startsWith("W/")) {
            tag = tag.substring(2);
        }
        tag = tag.replace("\"", "");
        try {
            return OptionalLong.of(Long.parseLong(tag));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("INVALID_IF_MATCH", "If-Match must be the account's ETag, e.g. \"7\"");
        }
    }

    private static int parseLimit(String limit, int byDefault, int max) {
        if (limit == null) {
            return byDefault;
        }
        try {
            int n = Integer.parseInt(limit);
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.badRequest("INVALID_LIMIT", "'limit' must be an integer from 1 to " + max);
    }
}
