package dev.atpin.ipfscluster;

/** An IPFS Cluster REST call failed: the peer is unreachable or answered an error. */
public class IpfsClusterException extends Exception {

    private final int status;

    public IpfsClusterException(String message, int status) {
        super(message);
        this.status = status;
    }

    public IpfsClusterException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    /** The HTTP status the peer answered; 0 when it did not answer. */
    public int status() {
        return status;
    }
}
