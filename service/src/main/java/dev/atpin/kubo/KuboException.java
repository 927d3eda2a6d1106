package dev.atpin.kubo;

/** A Kubo RPC call failed: the node is unreachable, answered an error, or stopped making progress. */
public class KuboException extends Exception {

    public KuboException(String message) {
        super(message);
    }

    public KuboException(String message, Throwable cause) {
        super(message, cause);
    }
}
