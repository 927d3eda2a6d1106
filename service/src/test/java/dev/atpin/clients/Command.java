package dev.atpin.clients;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real client program with a hard timeout, capturing stdout and stderr apart (output goes
 * to files, so a program that hangs cannot block the test on a full pipe).
 */
final class Command {

    record Result(List<String> command, int exitCode, String stdout, String stderr) {

        /** Everything the program printed, for failure messages and logs. */
        String output() {
            return stdout + (stderr.isEmpty() ? "" : (stdout.isEmpty() || stdout.endsWith("\n") ? "" : "\n") + stderr);
        }

        String describe() {
            return "`" + String.join(" ", command) + "` exited " + exitCode + ":\n" + output();
        }
    }

    private Command() {}

    static Result run(Path dir, Map<String, String> env, List<String> command, Duration timeout) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("atpin-cmd-", ".out");
            err = Files.createTempFile("atpin-cmd-", ".err");
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("`" + String.join(" ", command) + "` did not finish within " + timeout
                        + "; output so far:\n" + read(out) + read(err));
            }
            return new Result(command, p.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        } finally {
            delete(out);
            delete(err);
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static void delete(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }
}
