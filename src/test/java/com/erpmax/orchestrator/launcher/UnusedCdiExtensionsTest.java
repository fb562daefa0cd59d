package com.erpmax.orchestrator.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static com.erpmax.orchestrator.launcher.UnusedCdiExtensions.SERVICE_FILE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class UnusedCdiExtensionsTest {

    @TempDir
    Path runtime;

    @Test
    void removesOnlyTheListedRegistrationsAndKeepsEverythingElse() throws IOException {
        Path faces = jar("jakarta.faces.jar", Map.of(
                SERVICE_FILE, "com.sun.faces.flow.FlowCDIExtension\n# a comment\ncom.sun.faces.cdi.CdiExtension\n",
                "com/sun/faces/cdi/CdiExtension.class", "bytes"));
        Path weld = jar("weld-integration.jar", Map.of(
                SERVICE_FILE, "org.glassfish.cdi.transaction.TransactionalExtension\norg.glassfish.cdi.Kept\n",
                "org/glassfish/cdi/Kept.class", "kept"));
        Path jersey = jar("jersey-cdi1x.jar", Map.of(SERVICE_FILE, "org.glassfish.jersey.ext.cdi1x.internal.CdiComponentProvider\n"));
        byte[] jerseyBefore = Files.readAllBytes(jersey);

        UnusedCdiExtensions.Result result = UnusedCdiExtensions.switchOff(runtime, Set.of(
                "com.sun.faces.flow.FlowCDIExtension", "com.sun.faces.cdi.CdiExtension",
                "org.glassfish.cdi.transaction.TransactionalExtension", "com.example.Renamed"));

        assertEquals(Set.of("com.sun.faces.flow.FlowCDIExtension", "com.sun.faces.cdi.CdiExtension",
                "org.glassfish.cdi.transaction.TransactionalExtension"), Set.copyOf(result.switchedOff()));
        assertEquals(List.of("com.example.Renamed"), result.notFound(), "a listed extension no jar registers is reported");

        assertNull(entry(faces, SERVICE_FILE), "no registration left: the file goes");
        assertEquals("bytes", entry(faces, "com/sun/faces/cdi/CdiExtension.class"), "the classes stay");
        assertEquals("org.glassfish.cdi.Kept\n", entry(weld, SERVICE_FILE), "an unlisted extension stays registered");
        assertEquals("kept", entry(weld, "org/glassfish/cdi/Kept.class"));
        assertArrayEquals(jerseyBefore, Files.readAllBytes(jersey), "a jar without a listed extension is not rewritten");
        assertEquals(List.of(), Files.list(runtime).filter(file -> !file.toString().endsWith(".jar")).toList(), "no file left over");
    }

    @Test
    void runningAgainChangesNothing() throws IOException {
        Path faces = jar("jakarta.faces.jar", Map.of(SERVICE_FILE, "com.sun.faces.cdi.CdiExtension\n", "a.txt", "a"));
        UnusedCdiExtensions.switchOff(runtime, Set.of("com.sun.faces.cdi.CdiExtension"));
        byte[] once = Files.readAllBytes(faces);

        UnusedCdiExtensions.Result again = UnusedCdiExtensions.switchOff(runtime, Set.of("com.sun.faces.cdi.CdiExtension"));

        assertEquals(List.of(), again.switchedOff());
        assertArrayEquals(once, Files.readAllBytes(faces));
    }

    @Test
    void readsOneClassNamePerLineWithCommentsAndBlankLines() throws IOException {
        Path list = Files.writeString(runtime.resolve("list.txt"), "# why\n\n  com.a.One  \ncom.a.Two # because\n#com.a.Off\n");

        assertEquals(List.of("com.a.One", "com.a.Two"), new ArrayList<>(UnusedCdiExtensions.readList(list)));
    }

    private Path jar(String name, Map<String, String> entries) throws IOException {
        Path jar = runtime.resolve(name);
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jar))) {
            for (Map.Entry<String, String> entry : new LinkedHashMap<>(entries).entrySet()) {
                out.putNextEntry(new ZipEntry(entry.getKey()));
                out.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    private static String entry(Path jar, String name) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry(name);
            return entry == null ? null : new String(zip.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
