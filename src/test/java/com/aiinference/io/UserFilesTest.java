package com.aiinference.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Inputs are regular files of bounded size; outputs are checked before anything runs. */
class UserFilesTest {
    @TempDir
    Path dir;

    @Test
    void anInputIsARegularFileWithinItsLimit() throws Exception {
        Path f = Files.writeString(dir.resolve("p.txt"), "hello\n");
        assertThat(UserFiles.read(f, "--prompts file")).isEqualTo("hello\n");
        assertThatThrownBy(() -> UserFiles.read(f, "--prompts file", 3)).hasMessage("--prompts file " + f
                + " is larger than 3 bytes");
        assertThatThrownBy(() -> UserFiles.read(dir, "--prompts file")).hasMessage("--prompts file " + dir
                + " is not a regular file (a directory)");
        assertThatThrownBy(() -> UserFiles.read(dir.resolve("none"), "sweep file")).hasMessage("sweep file not found: "
                + dir.resolve("none"));
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void aPipeOrADeviceIsRefusedWithoutReadingIt() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        // A FIFO with no writer would block a read forever: it is refused before any read.
        assertThatThrownBy(() -> UserFiles.read(fifo, "--config-file")).hasMessage("--config-file " + fifo
                + " is not a regular file (a pipe, socket or device)");
        assertThatThrownBy(() -> UserFiles.read(Path.of("/dev/zero"), "sweep file"))
                .isInstanceOf(UserFiles.UserFileException.class).hasMessageContaining("not a regular file");
    }

    private static Map<String, Path> map(Object... kv) {
        Map<String, Path> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Path) kv[i + 1]);
        }
        return m;
    }

    @Test
    void outputsAreWritableFilesDistinctFromInputsAndEachOther() throws Exception {
        Path prompts = Files.writeString(dir.resolve("p.jsonl"), "{\"prompt\":\"x\"}\n");
        Path file = Files.writeString(dir.resolve("plain"), "x");
        UserFiles.checkOutputs(map("--report-json", dir.resolve("new/sub/r.json"), "--report-html", null),
                map("--prompts", prompts));
        assertThatThrownBy(() -> UserFiles.checkOutputs(map("--save-requests", dir.resolve("./p.jsonl")),
                map("--prompts", prompts))).hasMessage("--save-requests " + dir.resolve("./p.jsonl")
                + " is the same file as the --prompts input: writing it would overwrite it");
        assertThatThrownBy(() -> UserFiles.checkOutputs(map("--report-json", dir.resolve("r"), "--report-html",
                dir.resolve("x/../r")), map())).hasMessage("--report-html " + dir.resolve("x/../r")
                + " is the same file as the --report-json output: give each output its own file");
        assertThatThrownBy(() -> UserFiles.checkOutputs(map("--report-json", dir), map()))
                .hasMessage("--report-json " + dir + " is a directory; give a file name");
        assertThatThrownBy(() -> UserFiles.checkOutputs(map("--report-json", file.resolve("r.json")), map()))
                .hasMessage("--report-json " + file.resolve("r.json") + " cannot be written: " + file
                        + " is not a directory");
    }
}
