package dev.atpin.dispatch;

/** What a node is for placement and self-healing ({@code node.state}). */
public enum NodeState {
    /** Takes new placements while it answers its health polls. */
    ACTIVE,
    /** An operator asked to move its contents off: no new placements; copies elsewhere first. */
    DRAINING,
    /** Has not answered for longer than {@code atpin.dispatch.down-after}: its contents are placed elsewhere. */
    DOWN;

    public String db() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static NodeState of(String db) {
        return valueOf(db.toUpperCase(java.util.Locale.ROOT));
    }
}
