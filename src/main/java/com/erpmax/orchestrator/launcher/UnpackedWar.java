package com.erpmax.orchestrator.launcher;

import com.erpmax.orchestrator.platform.entity.ExitCodes;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Unpacks a WAR into a new directory, which {@code payara/start.sh} keeps in Micro's root directory
 * and deploys instead of the WAR for as long as the WAR is unchanged.
 *
 * <p>Given a WAR file, Payara unpacks it at every boot into its applications directory, after
 * deleting the previous boot's copy, and then copies the file into its own repository: 8 MB written
 * and deleted again per boot, about 0.1 s of it (measured: alternated boots 2.75 s against 2.65 s,
 * Payara's reading phase 145 ms against 111 ms). An unpacked directory it deploys where it is.
 *
 * <p>Usage: {@code UnpackedWar WAR DIRECTORY}. Exit 0, or {@link ExitCodes#FAILED} when the WAR cannot
 * be read (start.sh then deploys the WAR itself, so that Payara's own error and the start-up
 * failure are what the operator sees), {@link ExitCodes#USAGE} on a usage error. start.sh unpacks
 * into a directory of another name and renames it when this succeeds, so that a copy cut short is
 * never deployed.
 */
public final class UnpackedWar {

    private UnpackedWar() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: UnpackedWar WAR DIRECTORY");
            System.exit(ExitCodes.USAGE);
        }
        try {
            unpack(Path.of(args[0]), Path.of(args[1]));
        } catch (IOException e) {
            System.err.println("could not unpack " + args[0] + ": " + e);
            System.exit(ExitCodes.FAILED);
        }
    }

    static void unpack(Path war, Path directory) throws IOException {
        Path root = Files.createDirectories(directory).toRealPath();
        try (ZipFile zip = new ZipFile(war.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                Path target = root.resolve(entry.getName()).normalize();
                if (!target.startsWith(root)) {
                    throw new IOException("entry " + entry.getName() + " lies outside the WAR");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                try (InputStream in = zip.getInputStream(entry)) {
                    Files.copy(in, target);
                }
            }
        }
    }
}
