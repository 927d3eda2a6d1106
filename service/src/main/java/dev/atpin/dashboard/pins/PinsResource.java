package dev.atpin.dashboard.pins;

import dev.atpin.api.ApiException;
import dev.atpin.api.ApiExceptionMapper;
import dev.atpin.dashboard.DashboardConfig;
import dev.atpin.dashboard.DashboardHttp;
import dev.atpin.dashboard.repo.RepoEnrollment;
import dev.atpin.identity.IdentityException;
import dev.atpin.oauth.OAuthSession;
import dev.atpin.oauth.SessionExpiredException;
import dev.atpin.oauth.XrpcException;
import dev.atpin.pins.PinInputs;
import dev.atpin.pins.PinResultsDto;
import dev.atpin.pins.PinService;
import dev.atpin.pins.PinStatusDto;
import dev.atpin.ipld.Cid;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The pins pages: the table with the API's filters, paging and count; adding by CID; a pin's details; removing.
 * Pins in progress refresh themselves (htmx polls small fragments); without script the pages still work, they
 * just need a reload.
 */
@Path("/account/pins")
@Produces(MediaType.TEXT_HTML)
public class PinsResource {

    private static final Logger LOG = Logger.getLogger(PinsResource.class);
    /** Notes after a redirect are chosen by key: nothing a URL carries is shown as text. */
    private static final Map<String, String> NOTES = Map.of(
            "added", "Pin request added: it is pinned as soon as a node has fetched the content.",
            "removed", "Pin removed: its content is released unless another request still wants it.",
            "record-deleted", "The pin record is deleted from your repo: the pin is released as soon as the watcher "
                    + "sees the deletion (usually within seconds).");
    private static final int MAX_LIVE = 100;

    private final DashboardHttp http;
    private final PinService pins;
    private final PinInputs inputs;
    private final PinReplicas replicas;
    private final PinActions actions;
    private final RepoEnrollment repo;
    private final int pageSize;
    private final long liveMs;

    PinsResource(DashboardHttp http, PinService pins, PinInputs inputs, PinReplicas replicas, PinActions actions,
            RepoEnrollment repo, DashboardConfig config) {
        this.http = http;
        this.pins = pins;
        this.inputs = inputs;
        this.replicas = replicas;
        this.actions = actions;
        this.repo = repo;
        this.pageSize = Math.max(1, Math.min(config.pageSize(), 1000));
        this.liveMs = config.liveInterval().toMillis();
    }

    @GET
    public Response list(@Context HttpHeaders headers, @QueryParam("status") String status,
            @QueryParam("name") String name, @QueryParam("match") String match, @QueryParam("cid") String cid,
            @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("source") String source,
            @QueryParam("before") String before, @QueryParam("note") String note) {
        PinFilter filter = PinFilter.of(status, name, match, cid, from, to, source, before);
        return http.withSession(headers, session -> listPage(200, session, filter, null,
                NOTES.get(String.valueOf(note)), null));
    }

    @POST
    public Response add(@Context HttpHeaders headers, @RestForm String csrf, @RestForm String cid,
            @RestForm String name, @RestForm String origins) {
        return http.withForm(headers, csrf, session -> {
            PinPages.AddForm form = new PinPages.AddForm(cid, name, origins, asRecord(session), true);
            try {
                PinActions.Added added = actions.add(session, cid, name, origins);
                return switch (added) {
                    case PinActions.Added.Request r -> {
                        LOG.infof("%s added pin request %s from the dashboard", session.did(), r.id());
                        yield DashboardHttp.seeOther("/account/pins?note=added");
                    }
                    case PinActions.Added.Record r -> {
                        LOG.infof("%s wrote pin record %s from the dashboard", session.did(), r.rkey());
                        yield DashboardHttp.seeOther("/account/pins/record/" + r.rkey());
                    }
                };
            } catch (ApiException e) {
                return listPage(ApiExceptionMapper.statusOf(e.kind()), session, PinFilter.of(null, null, null, null, null, null, null, null),
                        form, null, "The pin was not added: " + e.details() + ".");
            } catch (XrpcException | SessionExpiredException | IdentityException e) {
                LOG.infof("writing a pin record for %s failed: %s", session.did(), e.getMessage());
                return listPage(502, session, PinFilter.of(null, null, null, null, null, null, null, null), form, null,
                        "Your PDS did not accept the pin record: " + e.getMessage());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** The rows in progress on a page, as htmx asks for them: swapped out of band, with the next poller. */
    @GET
    @Path("live")
    public Response live(@Context HttpHeaders headers, @QueryParam("id") List<String> ids) {
        return http.withSession(headers, session -> {
            List<PinRow> rows = new ArrayList<>();
            List<String> gone = new ArrayList<>();
            for (String id : ids.stream().limit(MAX_LIVE).toList()) {
                Optional<PinStatusDto> pin = find(session, id);
                if (pin.isPresent()) {
                    rows.add(row(pin.get()));
                } else {
                    gone.add(id);
                }
            }
            return DashboardHttp.page(200, PinPages.live(rows, gone, inProgress(rows), liveMs));
        });
    }

    @GET
    @Path("{id}")
    public Response detail(@Context HttpHeaders headers, @PathParam("id") String id, @QueryParam("note") String note) {
        return http.withSession(headers, session -> find(session, id)
                .map(pin -> DashboardHttp.page(200, PinPages.detail(DashboardHttp.me(session), detail(session, pin),
                        NOTES.get(String.valueOf(note)), null, liveMs)))
                .orElseGet(() -> notFound()));
    }

    @GET
    @Path("{id}/status")
    public Response status(@Context HttpHeaders headers, @PathParam("id") String id) {
        return http.withSession(headers, session -> find(session, id)
                .map(pin -> DashboardHttp.page(200, PinPages.status(detail(session, pin), liveMs)))
                .orElseGet(() -> notFound()));
    }

    @POST
    @Path("{id}/remove")
    public Response remove(@Context HttpHeaders headers, @PathParam("id") String id, @RestForm String csrf) {
        return http.withForm(headers, csrf, session -> {
            Optional<UUID> requestId = uuid(id);
            if (requestId.isEmpty()) {
                return notFound();
            }
            try {
                PinActions.Removed removed = actions.remove(session, requestId.get());
                LOG.infof("%s removed pin request %s from the dashboard (%s)", session.did(), id, removed);
                return DashboardHttp.seeOther("/account/pins?note="
                        + (removed == PinActions.Removed.RECORD ? "record-deleted" : "removed"));
            } catch (ApiException e) {
                if (e.kind() == ApiException.Kind.NOT_FOUND) {
                    return notFound();
                }
                return find(session, id).map(pin -> DashboardHttp.page(ApiExceptionMapper.statusOf(e.kind()), PinPages.detail(
                        DashboardHttp.me(session), detail(session, pin), null, "The pin was not removed: "
                                + e.details() + ".", liveMs))).orElseGet(() -> notFound());
            } catch (XrpcException | SessionExpiredException | IdentityException e) {
                LOG.infof("deleting a pin record for %s failed: %s", session.did(), e.getMessage());
                return find(session, id).map(pin -> DashboardHttp.page(502, PinPages.detail(
                        DashboardHttp.me(session), detail(session, pin), null,
                        "Your PDS did not delete the pin record: " + e.getMessage(), liveMs)))
                        .orElseGet(() -> notFound());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** After writing a record: its request once the watcher made it, else a page that waits for it. */
    @GET
    @Path("record/{rkey}")
    public Response record(@Context HttpHeaders headers, @PathParam("rkey") String rkey) {
        return http.withSession(headers, session -> {
            if (!Cid.isValid(rkey) || !Cid.parse(rkey).normalized().equals(rkey)) {
                return notFound();
            }
            Optional<PinStatusDto> made;
            try {
                made = actions.fromRecord(session.did(), rkey);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            if (made.isPresent()) {
                String target = "/account/pins/" + made.get().requestid();
                // htmx follows a redirect inside its request; a full navigation is asked for with a header
                return headers.getHeaderString("HX-Request") != null
                        ? Response.ok().header("HX-Redirect", target).build() : DashboardHttp.seeOther(target);
            }
            String uri = actions.recordUri(session.did(), rkey);
            return DashboardHttp.page(200, PinPages.waiting(DashboardHttp.me(session), rkey, uri,
                    PinDetail.recordLink(uri, session.pds().toString()),
                    actions.recordProblem(session.did(), rkey).orElse(null), liveMs));
        });
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        return DashboardHttp.unexpected(e);
    }

    private Response listPage(int status, OAuthSession session, PinFilter filter, PinPages.AddForm form, String note,
            String error) {
        PinPages.AddForm add = form;
        List<PinRow> rows = List.of();
        long count = 0;
        String next = null;
        String problem = error;
        int code = status;
        try {
            PinResultsDto page = pins.list(session.did(), filter.query(inputs, pageSize));
            rows = rows(page.results());
            count = page.count();
            if (rows.size() == pageSize && count > rows.size()) {
                next = filter.withBefore(rows.getLast().cursor());
            }
        } catch (ApiException e) {
            problem = "Check the filters: " + e.details() + ".";
            code = ApiExceptionMapper.statusOf(e.kind());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        if (add == null) {
            add = new PinPages.AddForm("", "", "", asRecord(session), rows.isEmpty() && !filter.narrowed());
        }
        return DashboardHttp.page(code, PinPages.list(DashboardHttp.me(session), filter, rows, count, next, add, note,
                problem, inProgress(rows), liveMs));
    }

    private static List<String> inProgress(List<PinRow> rows) {
        return rows.stream().filter(PinRow::inProgress).map(PinRow::id).toList();
    }

    private boolean asRecord(OAuthSession session) {
        return repo.view(session.did()).followed();
    }

    private List<PinRow> rows(List<PinStatusDto> results) throws SQLException {
        List<String> cids = results.stream().filter(p -> "queued".equals(p.status()) || "pinning".equals(p.status()))
                .map(p -> Cid.parse(p.pin().cid()).normalized()).distinct().toList();
        Map<String, List<PinReplicas.Replica>> copies = replicas.of(cids);
        return results.stream().map(p -> PinRow.of(p, copies.getOrDefault(Cid.parse(p.pin().cid()).normalized(),
                List.of()))).toList();
    }

    private PinRow row(PinStatusDto pin) {
        try {
            return rows(List.of(pin)).getFirst();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private PinDetail detail(OAuthSession session, PinStatusDto pin) {
        try {
            String cid = Cid.parse(pin.pin().cid()).normalized();
            return PinDetail.of(pin, replicas.of(List.of(cid)).getOrDefault(cid, List.of()),
                    replicas.wanted(cid).orElse(0), replicas.history(UUID.fromString(pin.requestid())),
                    session.pds().toString());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The logged-in tenant's request, or empty: another tenant's requestid is not found, like a made-up one. */
    private Optional<PinStatusDto> find(OAuthSession session, String id) {
        Optional<UUID> requestId = uuid(id);
        if (requestId.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(pins.get(session.did(), requestId.get()));
        } catch (ApiException e) {
            if (e.kind() == ApiException.Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Optional<UUID> uuid(String id) {
        try {
            return Optional.of(UUID.fromString(id));
        } catch (IllegalArgumentException | NullPointerException e) {
            return Optional.empty();
        }
    }

    private static Response notFound() {
        return DashboardHttp.problem(404, "No such pin", "There is no such pin request in your account. It may "
                + "have been removed.", false);
    }
}
