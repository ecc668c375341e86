package com.aiinference.plan;

import com.aiinference.io.UserFiles.UserFileException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The folder of {@code plan --render-dir}: it holds exactly the manifests of the last render, so that
 * {@code kubectl apply -f DIR} never applies a stale object (an earlier render's ProvisioningRequest would ask for 10
 * GPU nodes). The folder must be new, empty, or one this command wrote (its files are listed in {@link #INDEX}); an
 * earlier render's files are removed before the new ones are written, and nothing is written through a symbolic link.
 */
final class RenderDir {
    /** The list of files the last render wrote, one name a line. */
    static final String INDEX = ".ai-inference-render";

    private RenderDir() {}

    /** Refuses, before the plan runs, a folder this command may not write into. */
    static void check(Path dir) {
        if (Files.isSymbolicLink(dir)) {
            throw new UserFileException("--render-dir " + dir + " is a symbolic link; give the folder itself");
        }
        if (!Files.exists(dir)) {
            return;
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new UserFileException("--render-dir " + dir + " is not a directory");
        }
        Set<String> ours = earlierRender(dir);
        for (String name : entries(dir)) {
            if (!name.equals(INDEX) && !ours.contains(name)) {
                throw new UserFileException("--render-dir " + dir + " holds " + name + ", which plan did not write; give"
                        + " an empty or new directory (plan replaces only its own earlier render)");
            }
        }
    }

    /** Replaces the earlier render with {@code files} (name to text). */
    static void write(Path dir, Map<String, String> files) throws IOException {
        check(dir);
        Files.createDirectories(dir);
        for (String name : earlierRender(dir)) {
            Files.deleteIfExists(dir.resolve(name)); // a link is removed, never followed
        }
        Files.deleteIfExists(dir.resolve(INDEX));
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.writeString(dir.resolve(f.getKey()), f.getValue(), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        }
        Files.writeString(dir.resolve(INDEX), String.join("\n", files.keySet()) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    }

    /** The names the last render wrote (only plain names: the index cannot point out of the folder). */
    private static Set<String> earlierRender(Path dir) {
        Path index = dir.resolve(INDEX);
        Set<String> names = new TreeSet<>();
        if (!Files.isRegularFile(index, LinkOption.NOFOLLOW_LINKS)) {
            return names;
        }
        try {
            for (String line : com.aiinference.io.UserFiles.read(index, "render index", 1024 * 1024).split("\n")) {
                String name = line.strip();
                if (!name.isEmpty() && !name.contains("/") && !name.contains("\\") && !name.startsWith(".")) {
                    names.add(name);
                }
            }
        } catch (com.aiinference.io.UserFiles.UserFileException e) {
            throw new UserFileException("--render-dir " + dir + ": " + e.getMessage());
        }
        return names;
    }

    private static List<String> entries(Path dir) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                names.add(p.getFileName().toString());
            }
        } catch (IOException e) {
            throw new UserFileException("cannot read --render-dir " + dir + ": " + e.getMessage());
        }
        names.sort(null);
        return names;
    }
}
