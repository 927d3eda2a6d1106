package dev.atpin.dashboard.pins;

import dev.atpin.dashboard.Pages;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import java.util.List;

/** The pins pages ({@code templates/pins/}) and the fragments htmx swaps into them. */
@CheckedTemplate(basePath = "pins")
final class PinPages {

    private PinPages() {}

    /**
     * What the add form shows again after a refusal.
     *
     * @param asRecord whether a new pin becomes a record in the user's repo (they are enrolled)
     * @param open     whether the form starts unfolded (no pins yet, or it comes back with a refusal)
     */
    record AddForm(String cid, String name, String origins, boolean asRecord, boolean open) {}

    /**
     * @param liveMs  how often rows in progress are refreshed, in milliseconds
     * @param next    the link to the next (older) page, or null on the last one
     */
    static native TemplateInstance list(Pages.Me me, PinFilter filter, List<PinRow> pins, long count, String next,
            AddForm add, String note, String error, List<String> liveIds, long liveMs);

    /** The rows in progress, swapped out of band, and the poller with those still in progress. */
    static native TemplateInstance live(List<PinRow> rows, List<String> gone, List<String> liveIds, long liveMs);

    static native TemplateInstance detail(Pages.Me me, PinDetail pin, String note, String error, long liveMs);

    /** The details page's status section alone (polled while the pin is in progress). */
    static native TemplateInstance status(PinDetail pin, long liveMs);

    /** After a record was written: waiting for the watcher to make the request. */
    static native TemplateInstance waiting(Pages.Me me, String rkey, String recordUri, String recordLink, String problem,
            long liveMs);
}
