package com.erpmax.orchestrator.launcher;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Prints the module options that a jar's manifest gives the JVM when it runs as {@code java -jar}
 * ({@code Add-Exports}, {@code Add-Opens}), one per line, for a JVM argument file.
 *
 * <p>{@code payara/start.sh} runs {@link MicroLauncher} from a class path, so the JVM no longer reads
 * {@code launch-micro.jar}'s manifest, and Payara's deployment fails without the access it grants
 * ("Unable to make field ... accessible"). Reading them from the jar itself keeps them right for
 * whatever Micro version prepared the root directory.
 */
public final class ManifestModuleOptions {

    private ManifestModuleOptions() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ManifestModuleOptions JAR");
            System.exit(2);
        }
        try (JarFile jar = new JarFile(args[0])) {
            options(jar.getManifest()).forEach(System.out::println);
        }
    }

    static List<String> options(Manifest manifest) {
        List<String> options = new ArrayList<>();
        if (manifest == null) {
            return options;
        }
        Attributes attributes = manifest.getMainAttributes();
        add(options, "--add-exports", attributes.getValue("Add-Exports"));
        add(options, "--add-opens", attributes.getValue("Add-Opens"));
        return options;
    }

    /** {@code java.base/java.lang jdk.naming.dns/com.sun.jndi.dns} → one option per package. */
    private static void add(List<String> options, String option, String packages) {
        if (packages == null) {
            return;
        }
        for (String modulePackage : packages.trim().split("\\s+")) {
            if (!modulePackage.isEmpty()) {
                options.add(option + "=" + modulePackage + "=ALL-UNNAMED");
            }
        }
    }
}
