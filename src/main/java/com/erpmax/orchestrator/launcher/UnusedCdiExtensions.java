package com.erpmax.orchestrator.launcher;

import com.erpmax.orchestrator.platform.entity.ExitCodes;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Switches off, in a prepared Micro root directory, the CDI extensions of Payara features that
 * ERPMax does not use (the list is {@code payara/unused-cdi-extensions.txt}).
 *
 * <p>Payara registers about 25 portable extensions of its own in every application that has a CDI
 * bean, whatever it uses: Faces, MVC, batch, JMS, JCache, OpenID, ... Weld starts each one and runs
 * its observers at every deployment, which was a tenth of the application's boot (measured: about
 * 0.4 s of CPU). Open Liberty and WildFly let an operator choose the features a server runs;
 * Payara Micro has no such switch, so this is ours: a listed extension's line is removed from the
 * {@code META-INF/services/jakarta.enterprise.inject.spi.Extension} file of the runtime jar that
 * registers it, and the file is dropped once no line is left. The classes stay: only Weld's
 * registration goes.
 *
 * <p>Usage: {@code UnusedCdiExtensions RUNTIME_DIR LIST_FILE}. Prints what it switched off, and a
 * line starting with {@value #NOT_SWITCHED_OFF} for each listed extension found in no jar (a Micro
 * version that renamed one) or only in a signed jar (which is left whole): such an extension stays
 * on, which costs boot time, not correctness, so it is reported and not fatal. Exit 0, or
 * {@link ExitCodes#FAILED} when a jar cannot be read or rewritten, {@link ExitCodes#USAGE} on a
 * usage error.
 *
 * <p>start.sh prepares a root directory again only when Micro, the JVM or the list changes: a change
 * to what this class does must also bump the root directory's version there.
 */
public final class UnusedCdiExtensions {

    public static final String SERVICE_FILE = "META-INF/services/jakarta.enterprise.inject.spi.Extension";
    /** How a line about an extension left on starts; start.sh shows these lines on the console. */
    public static final String NOT_SWITCHED_OFF = "not switched off: ";

    private UnusedCdiExtensions() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: UnusedCdiExtensions RUNTIME_DIR LIST_FILE");
            System.exit(ExitCodes.USAGE);
        }
        try {
            Set<String> unused = readList(Path.of(args[1]));
            Result result = switchOff(Path.of(args[0]), unused);
            System.out.println("switched off " + result.switchedOff().size() + " of " + unused.size()
                    + " listed CDI extensions: " + String.join(" ", result.switchedOff()));
            for (String missing : result.notFound()) {
                System.out.println(NOT_SWITCHED_OFF + missing + " is registered by no unsigned jar of this Micro");
            }
        } catch (IOException e) {
            System.err.println("could not switch off the unused CDI extensions: " + e);
            System.exit(ExitCodes.FAILED);
        }
    }

    /** What {@link #switchOff} did: the extensions it removed, and the listed ones it found nowhere. */
    record Result(List<String> switchedOff, List<String> notFound) {
    }

    /** The class names in a list file: one per line; blank lines and {@code #} comments are ignored. */
    public static Set<String> readList(Path file) throws IOException {
        return new LinkedHashSet<>(names(Files.readString(file, StandardCharsets.UTF_8)));
    }

    /**
     * The class names in a list or in a service file: one per line, {@code #} comments and blank
     * lines ignored (the format of {@link java.util.ServiceLoader}'s files).
     */
    public static List<String> names(String text) {
        return text.lines().map(UnusedCdiExtensions::name).filter(name -> !name.isEmpty()).toList();
    }

    private static String name(String line) {
        return line.replaceFirst("#.*", "").trim();
    }

    /** Removes the {@code unused} extensions' registrations from every jar in {@code runtimeDir}. */
    static Result switchOff(Path runtimeDir, Set<String> unused) throws IOException {
        List<String> switchedOff = new ArrayList<>();
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(runtimeDir, "*.jar")) {
            for (Path jar : jars) {
                switchedOff.addAll(switchOffIn(jar, unused));
            }
        }
        List<String> notFound = unused.stream().filter(name -> !switchedOff.contains(name)).collect(Collectors.toList());
        return new Result(switchedOff, notFound);
    }

    /** Rewrites one jar if it registers a listed extension; returns the ones it removed. */
    private static List<String> switchOffIn(Path jar, Set<String> unused) throws IOException {
        Path rewritten = jar.resolveSibling(jar.getFileName() + ".new");
        List<String> removed;
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            // A signed jar is left whole: rewriting a signed file would break its signature.
            if (zip.stream().anyMatch(entry -> entry.getName().matches("META-INF/[^/]+\\.SF"))) {
                return List.of();
            }
            List<String> registered = registrations(zip);
            removed = registered.stream().filter(unused::contains).toList();
            if (removed.isEmpty()) {
                return removed;
            }
            List<String> kept = registered.stream().filter(name -> !unused.contains(name)).toList();
            write(zip, rewritten, kept.isEmpty() ? null : String.join("\n", kept) + "\n");
        }
        Files.move(rewritten, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return removed;
    }

    /** The CDI extensions a jar registers, in its service file's order; none without that file. */
    public static List<String> registrations(ZipFile jar) throws IOException {
        ZipEntry services = jar.getEntry(SERVICE_FILE);
        return services == null ? List.of() : names(new String(jar.getInputStream(services).readAllBytes(), StandardCharsets.UTF_8));
    }

    /** Writes a copy of the jar with its service file replaced by {@code services}, or without it when null. */
    private static void write(ZipFile zip, Path copy, String services) throws IOException {
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(copy))) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (entry.getName().equals(SERVICE_FILE)) {
                    if (services != null) {
                        ZipEntry replaced = new ZipEntry(SERVICE_FILE);
                        replaced.setTime(entry.getTime());
                        out.putNextEntry(replaced);
                        out.write(services.getBytes(StandardCharsets.UTF_8));
                        out.closeEntry();
                    }
                    continue;
                }
                copy(zip, entry, out);
            }
        }
    }

    /** Copies an entry with its metadata (method, time, extra fields, comment), recompressed if deflated. */
    private static void copy(ZipFile zip, ZipEntry entry, ZipOutputStream out) throws IOException {
        ZipEntry copied = new ZipEntry(entry);
        copied.setCompressedSize(-1);
        out.putNextEntry(copied);
        if (!entry.isDirectory()) {
            try (InputStream in = zip.getInputStream(entry)) {
                in.transferTo(out);
            }
        }
        out.closeEntry();
    }
}
