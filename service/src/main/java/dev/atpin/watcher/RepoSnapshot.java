package dev.atpin.watcher;

import dev.atpin.ipld.Car;
import dev.atpin.ipld.RepoCommit;
import java.util.Map;

/**
 * A whole repo as {@code getRepo} returned it, verified: every block's hash, the commit's
 * signature, and a complete MST walk (a partial CAR never gets this far).
 *
 * @param pinRecords path → record block of every pin record
 * @param enrollment the enrollment record's block, or null when the repo has none
 */
record RepoSnapshot(RepoCommit commit, Car car, Map<String, byte[]> pinRecords, byte[] enrollment) {}
