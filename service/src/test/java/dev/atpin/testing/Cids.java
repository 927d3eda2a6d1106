package dev.atpin.testing;

import dev.atpin.ipld.Cid;
import dev.atpin.ipld.Multihash;
import java.util.concurrent.ThreadLocalRandom;

/** CIDs for tests. */
public final class Cids {

    private Cids() {}

    /** A raw CIDv1 of random bytes that exist nowhere: pinning it never completes. */
    public static String unfetchable() {
        byte[] data = new byte[32];
        ThreadLocalRandom.current().nextBytes(data);
        return Cid.v1(Cid.RAW, Multihash.sha256(data)).toString();
    }
}
