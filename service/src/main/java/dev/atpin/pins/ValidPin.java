package dev.atpin.pins;

import dev.atpin.ipld.Cid;
import java.util.List;
import java.util.Map;

/** A {@code Pin} body that passed validation; {@code cid} is parsed, the rest bounded. */
public record ValidPin(Cid cid, String cidInput, String name, List<String> origins, Map<String, String> meta) {}
