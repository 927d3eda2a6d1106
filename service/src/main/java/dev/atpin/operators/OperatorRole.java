package dev.atpin.operators;

import java.util.Collection;
import java.util.Optional;

/** What an operator may do: look at everything, or also change it. Named as the provider's roles. */
public enum OperatorRole {
    VIEWER("atpin-viewer"),
    ADMIN("atpin-admin");

    private final String roleName;

    OperatorRole(String roleName) {
        this.roleName = roleName;
    }

    /** The role's name at the identity provider. */
    public String roleName() {
        return roleName;
    }

    /** The highest operator role among {@code roles}; empty when there is none (not an operator). */
    public static Optional<OperatorRole> highestOf(Collection<String> roles) {
        if (roles.contains(ADMIN.roleName)) {
            return Optional.of(ADMIN);
        }
        return roles.contains(VIEWER.roleName) ? Optional.of(VIEWER) : Optional.empty();
    }
}
