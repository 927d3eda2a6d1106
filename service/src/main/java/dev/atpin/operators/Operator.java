package dev.atpin.operators;

/**
 * An authenticated operator: who (for the audit log), how they came in, and their role.
 *
 * @param subject stable id: the provider's {@code sub}, or the DID of an API-token operator
 * @param name what people read in the audit log: the provider's user name, or the DID
 */
public record Operator(String subject, String name, OperatorRole role, Via via) {

    /** How an operator authenticated; the names are the audit log's {@code via} values. */
    public enum Via {
        CONSOLE("console"),
        OIDC_TOKEN("oidc-token"),
        API_TOKEN("api-token");

        private final String db;

        Via(String db) {
            this.db = db;
        }

        public String db() {
            return db;
        }
    }

    public boolean mayChange() {
        return role == OperatorRole.ADMIN;
    }
}
