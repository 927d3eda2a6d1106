package dev.atpin.console;

import dev.atpin.admin.NodeChanges;
import dev.atpin.admin.OperatorAudit;
import dev.atpin.admin.QueueOverview;
import dev.atpin.admin.WatcherOverview;
import dev.atpin.api.ApiException;
import dev.atpin.api.ApiExceptionMapper;
import dev.atpin.dispatch.ClusterStatus;
import dev.atpin.operators.Operator;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.jboss.resteasy.reactive.RestForm;

/**
 * The console's pages about the running service: nodes, the pin queue (with "retry now"), the repo watcher and
 * the audit log. They show what the admin API reports ({@code /admin/v1/nodes}, {@code queue}, {@code watcher},
 * {@code audit}), so both always agree.
 */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
public class ConsoleOperationsResource {

    private static final int PAGE = 50;

    private final ConsoleSession session;
    private final ClusterStatus cluster;
    private final QueueOverview queue;
    private final WatcherOverview watcher;
    private final OperatorAudit audit;
    private final NodeChanges nodeChanges;

    ConsoleOperationsResource(ConsoleSession session, ClusterStatus cluster, QueueOverview queue,
            WatcherOverview watcher, OperatorAudit audit, NodeChanges nodeChanges) {
        this.nodeChanges = nodeChanges;
        this.session = session;
        this.cluster = cluster;
        this.queue = queue;
        this.watcher = watcher;
        this.audit = audit;
    }

    @GET
    @Path("nodes")
    public Response nodes(@Context UriInfo uri, @QueryParam("notice") String notice) throws SQLException {
        Operator who = session.operator(uri);
        return nodesPage(who, 200, null, notice);
    }

    /** Admins only (the page shows the buttons to admins only; the check is here). */
    @POST
    @Path("nodes/drain")
    public Response drain(@Context UriInfo uri, @RestForm String csrf, @RestForm String node) throws SQLException {
        return changeNode(uri, csrf, node, true);
    }

    @POST
    @Path("nodes/activate")
    public Response activate(@Context UriInfo uri, @RestForm String csrf, @RestForm String node) throws SQLException {
        return changeNode(uri, csrf, node, false);
    }

    private Response changeNode(UriInfo uri, String csrf, String node, boolean draining) throws SQLException {
        Operator who = session.admin(uri, csrf);
        try {
            nodeChanges.setDraining(String.valueOf(node), draining, Optional.of("from the console"), who);
            return ConsoleHtml.seeOther("/console/nodes?notice=" + URLEncoder.encode(
                    (draining ? "Draining " : "Activated ") + node + ".", StandardCharsets.UTF_8));
        } catch (ApiException e) {
            return nodesPage(who, ApiExceptionMapper.statusOf(e.kind()), e.details(), null);
        }
    }

    private Response nodesPage(Operator who, int status, String error, String notice) throws SQLException {
        List<ConsolePages.NodeRow> rows = new ArrayList<>();
        for (Map<String, Object> node : cluster.nodes()) {
            @SuppressWarnings("unchecked")
            Map<String, Long> placements = (Map<String, Long>) node.get("placements");
            rows.add(new ConsolePages.NodeRow(node, placements));
        }
        return ConsoleHtml.page(status, ConsolePages.nodes(session.nav(who, "nodes"), rows, error, notice));
    }

    @GET
    @Path("queues")
    public Response queues(@Context UriInfo uri, @QueryParam("notice") String notice) throws SQLException {
        Operator who = session.operator(uri);
        return queuesPage(who, 200, null, notice);
    }

    @POST
    @Path("queues/retry")
    public Response retry(@Context UriInfo uri, @RestForm String csrf, @RestForm String cid, @RestForm String node)
            throws SQLException {
        Operator who = session.admin(uri, csrf);
        try {
            queue.retryNow(String.valueOf(cid), String.valueOf(node), who);
            return ConsoleHtml.seeOther("/console/queues?notice=" + URLEncoder.encode(
                    "Retrying " + cid + " on " + node + " now.", StandardCharsets.UTF_8));
        } catch (ApiException e) {
            return queuesPage(who, ApiExceptionMapper.statusOf(e.kind()), e.details(), null);
        }
    }

    @GET
    @Path("watcher")
    public Response watcher(@Context UriInfo uri) throws SQLException {
        Operator who = session.operator(uri);
        return ConsoleHtml.page(200, ConsolePages.watcher(session.nav(who, "watcher"), watcher.overview(200)));
    }

    @GET
    @Path("audit")
    public Response audit(@Context UriInfo uri, @QueryParam("before") String before) throws SQLException {
        Operator who = session.operator(uri);
        OptionalLong cursor;
        try {
            cursor = before == null || before.isBlank() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(before));
        } catch (NumberFormatException e) {
            cursor = OptionalLong.empty();
        }
        List<OperatorAudit.Entry> page = audit.list(Optional.empty(), cursor, PAGE);
        Long next = page.size() == PAGE ? page.getLast().id() : null;
        return ConsoleHtml.page(200, ConsolePages.audit(session.nav(who, "audit"), page, next));
    }

    private Response queuesPage(Operator who, int status, String error, String notice) throws SQLException {
        return ConsoleHtml.page(status, ConsolePages.queues(session.nav(who, "queues"), cluster.queue(),
                queue.recentFailures(PAGE), error, notice));
    }
}
