package com.erpmax.orchestrator.launcher;

import com.erpmax.orchestrator.testing.TestArchives;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.JarInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static com.erpmax.orchestrator.launcher.UnusedCdiExtensions.SERVICE_FILE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class UnusedCdiExtensionsTest {

    @TempDir
    Path runtime;

    @Test
    void removesOnlyTheListedRegistrationsAndKeepsEverythingElse() throws IOException {
        Path faces = jar("jakarta.faces.jar",
                "META-INF/", null,
                "META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nBundle-SymbolicName: faces\r\n\r\n",
                SERVICE_FILE, "com.sun.faces.flow.FlowCDIExtension\n# a comment\ncom.sun.faces.cdi.CdiExtension\n",
                "com/sun/faces/cdi/CdiExtension.class", "bytes");
        Path weld = jar("weld-integration.jar",
                SERVICE_FILE, "org.glassfish.cdi.transaction.TransactionalExtension\norg.glassfish.cdi.Kept\n",
                "org/glassfish/cdi/Kept.class", "kept");
        Path jersey = jar("jersey-cdi1x.jar", SERVICE_FILE, "org.glassfish.jersey.ext.cdi1x.internal.CdiComponentProvider\n");
        byte[] jerseyBefore = Files.readAllBytes(jersey);

        UnusedCdiExtensions.Result result = UnusedCdiExtensions.switchOff(runtime, Set.of(
                "com.sun.faces.flow.FlowCDIExtension", "com.sun.faces.cdi.CdiExtension",
                "org.glassfish.cdi.transaction.TransactionalExtension", "com.example.Renamed"));

        assertEquals(Set.of("com.sun.faces.flow.FlowCDIExtension", "com.sun.faces.cdi.CdiExtension",
                "org.glassfish.cdi.transaction.TransactionalExtension"), Set.copyOf(result.switchedOff()));
        assertEquals(List.of("com.example.Renamed"), result.notFound(), "a listed extension no jar registers is reported");

        assertNull(entry(faces, SERVICE_FILE), "no registration left: the file goes");
        assertEquals("bytes", entry(faces, "com/sun/faces/cdi/CdiExtension.class"), "the classes stay");
        assertEquals(List.of("META-INF/", "META-INF/MANIFEST.MF", "com/sun/faces/cdi/CdiExtension.class"), names(faces),
                "the other entries keep their order, the manifest first");
        try (JarInputStream read = new JarInputStream(Files.newInputStream(faces))) {
            assertEquals("faces", read.getManifest().getMainAttributes().getValue("Bundle-SymbolicName"), "the manifest reads as one");
        }
        assertEquals("org.glassfish.cdi.Kept\n", entry(weld, SERVICE_FILE), "an unlisted extension stays registered");
        assertEquals("kept", entry(weld, "org/glassfish/cdi/Kept.class"));
        assertArrayEquals(jerseyBefore, Files.readAllBytes(jersey), "a jar without a listed extension is not rewritten");
        assertEquals(List.of(), Files.list(runtime).filter(file -> !file.toString().endsWith(".jar")).toList(), "no file left over");
    }

    @Test
    void leavesASignedJarWholeAndReportsItsExtensionAsOn() throws IOException {
        Path signed = jar("signed.jar", "META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n\r\n", "META-INF/SIGNER.SF", "signature",
                SERVICE_FILE, "com.example.SignedExtension\n");
        byte[] before = Files.readAllBytes(signed);

        UnusedCdiExtensions.Result result = UnusedCdiExtensions.switchOff(runtime, Set.of("com.example.SignedExtension"));

        assertEquals(List.of("com.example.SignedExtension"), result.notFound());
        assertArrayEquals(before, Files.readAllBytes(signed));
    }

    @Test
    void runningAgainChangesNothing() throws IOException {
        Path faces = jar("jakarta.faces.jar", SERVICE_FILE, "com.sun.faces.cdi.CdiExtension\n", "a.txt", "a");
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
        assertEquals(List.of("a.B", "c.D"), UnusedCdiExtensions.names("a.B\r\n  # x\nc.D # y"), "a service file's lines alike");
    }

    private Path jar(String name, String... namesAndContents) throws IOException {
        return TestArchives.zip(runtime.resolve(name), namesAndContents);
    }

    private static List<String> names(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.stream().map(ZipEntry::getName).toList();
        }
    }

    private static String entry(Path jar, String name) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry(name);
            return entry == null ? null : new String(zip.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
