package dev.atpin.console;

import dev.atpin.admin.AccountPins;
import dev.atpin.admin.AccountView;
import dev.atpin.admin.OperatorAudit;
import dev.atpin.admin.QueueOverview;
import dev.atpin.admin.WatcherOverview;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateData;
import io.quarkus.qute.TemplateExtension;
import io.quarkus.qute.TemplateInstance;
import java.util.List;
import java.util.Map;

/** The operator console's pages ({@code templates/console/*.html}), type-checked at build time. */
@CheckedTemplate(basePath = "console")
// records of the admin package read by untyped fragments (console/auditTable.html)
@TemplateData(target = OperatorAudit.Entry.class)
@TemplateData(target = AccountPins.Pin.class)
@TemplateData(target = QueueOverview.Failure.class)
@TemplateData(target = WatcherOverview.Upstream.class)
@TemplateData(target = WatcherOverview.TroubledRepo.class)
final class ConsolePages {

    private ConsolePages() {}

    /** Who is signed in, what they may do, the session's CSRF token, and which section is open. */
    record Nav(String operator, String role, boolean mayChange, String csrf, String section) {}

    /** A node as the admin API reports it, with its placements by state. */
    record NodeRow(Map<String, Object> node, Map<String, Long> placements) {}

    static native TemplateInstance message(Nav nav, String title, String message, boolean signOut);

    static native TemplateInstance signedOut();

    static native TemplateInstance accounts(Nav nav, String q, String status, List<AccountView> accounts, String next,
            String notice);

    static native TemplateInstance account(Nav nav, AccountView account, List<String> plans,
            List<OperatorAudit.Entry> audit, String error, String notice);

    static native TemplateInstance pins(Nav nav, AccountView account, List<AccountPins.Pin> pins, String status,
            String next);

    static native TemplateInstance nodes(Nav nav, List<NodeRow> nodes, String error, String notice);

    static native TemplateInstance queues(Nav nav, Map<String, Object> depth, List<QueueOverview.Failure> failures,
            String error, String notice);

    static native TemplateInstance watcher(Nav nav, WatcherOverview.Overview watcher);

    static native TemplateInstance audit(Nav nav, List<OperatorAudit.Entry> entries, Long next);

    /** Byte counts as people read them: 1.5 GiB. */
    @TemplateExtension
    static String humanBytes(Object value) {
        if (!(value instanceof Number number)) {
            return "–";
        }
        double bytes = number.doubleValue();
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        int unit = 0;
        while (bytes >= 1024 && unit < units.length - 1) {
            bytes /= 1024;
            unit++;
        }
        return unit == 0 ? number.longValue() + " B" : String.format(java.util.Locale.ROOT, "%.1f %s", bytes, units[unit]);
    }

    /** For query strings built in templates. */
    @TemplateExtension
    static String urlEncoded(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** An audit change as people read it: {@code free → pro}; anything else as it is. */
    @TemplateExtension
    static String described(Object value) {
        if (value instanceof Map<?, ?> change && change.containsKey("from") && change.containsKey("to")) {
            return show(change.get("from")) + " → " + show(change.get("to"));
        }
        return String.valueOf(value);
    }

    private static String show(Object value) {
        return value == null ? "(plan's value)" : String.valueOf(value);
    }
}
