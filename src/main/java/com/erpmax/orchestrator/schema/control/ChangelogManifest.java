package com.erpmax.orchestrator.schema.control;

import com.erpmax.orchestrator.schema.entity.ChangeSetRef;
import com.erpmax.orchestrator.schema.entity.ChangelogEntry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The changelog's changesets and checksums, computed by Liquibase at build time and shipped
 * beside the changelog. With it, deciding that nothing is pending (what every deploy and every
 * boot does) needs one query and no Liquibase start-up: about a second less per process.
 * It carries a fingerprint of the changelog files, so a manifest that does not match the
 * changelog on the class path (an IDE build that skipped the generation) is ignored.
 */
public final class ChangelogManifest {

    static final String SUFFIX = ".manifest";
    private static final String FINGERPRINT = "# fingerprint ";

    private ChangelogManifest() {
    }

    /** Writes the manifest of a changelog into a class-path directory: {@code java ... ChangelogManifest target/classes}. */
    public static void main(String[] args) throws Exception {
        Path classes = Path.of(args[0]);
        Migrations migrations = new Migrations(ChangelogManifest.class.getClassLoader(), Migrations.CHANGELOG, true);
        List<ChangelogEntry> entries = migrations.parseEntries();
        StringBuilder text = new StringBuilder(FINGERPRINT)
                .append(fingerprint(ChangelogManifest.class.getClassLoader(), Migrations.CHANGELOG, entries)).append('\n');
        for (ChangelogEntry entry : entries) {
            ChangeSetRef ref = entry.changeSet();
            text.append(String.join("\t", ref.id(), ref.author(), ref.file(), entry.checksum(),
                    Boolean.toString(entry.runOnChange()))).append('\n');
        }
        Path file = classes.resolve(Migrations.CHANGELOG + SUFFIX);
        Files.writeString(file, text.toString(), StandardCharsets.UTF_8);
        System.out.println("Wrote " + file + " (" + entries.size() + " changesets)");
    }

    /** The manifest on the class path, if there is one and it matches the changelog files. */
    static Optional<List<ChangelogEntry>> read(ClassLoader classLoader, String changelog) throws IOException {
        String text;
        try (InputStream in = classLoader.getResourceAsStream(changelog + SUFFIX)) {
            if (in == null) {
                return Optional.empty();
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<ChangelogEntry> entries = new ArrayList<>();
        String recorded = null;
        for (String line : text.split("\n")) {
            if (line.startsWith(FINGERPRINT)) {
                recorded = line.substring(FINGERPRINT.length()).trim();
            } else if (!line.isBlank()) {
                String[] fields = line.split("\t");
                entries.add(new ChangelogEntry(new ChangeSetRef(fields[0], fields[1], fields[2]), fields[3], Boolean.parseBoolean(fields[4])));
            }
        }
        if (recorded == null || !recorded.equals(fingerprint(classLoader, changelog, entries))) {
            return Optional.empty();
        }
        return Optional.of(entries);
    }

    /** SHA-256 over the master changelog and every changeset file it names. */
    private static String fingerprint(ClassLoader classLoader, String changelog, List<ChangelogEntry> entries) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Set<String> files = new LinkedHashSet<>();
        files.add(changelog);
        entries.forEach(entry -> files.add(entry.changeSet().file()));
        for (String file : files) {
            try (InputStream in = classLoader.getResourceAsStream(file)) {
                if (in == null) {
                    return "missing:" + file;
                }
                digest.update(file.getBytes(StandardCharsets.UTF_8));
                digest.update(in.readAllBytes());
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
