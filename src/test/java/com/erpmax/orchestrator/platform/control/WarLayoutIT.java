package com.erpmax.orchestrator.platform.control;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the build packs where. The packaged WAR keeps its libraries where Payara does not parse
 * them at each deployment (WEB-INF/classpath/*.lib), and glassfish-web.xml puts exactly those on
 * the class path. The list there is written by hand: a library added to the pom but not to it
 * would be missing at run time in whatever code path no other test happens to reach.
 */
class WarLayoutIT {

    private static final Path WAR = Path.of("target", "erpmax.war");
    private static final Path MIGRATOR = Path.of("target", "erpmax-migrate.jar");
    private static final Path LAUNCHER = Path.of("target", "erpmax-launcher.jar");
    private static final Pattern EXTRA_CLASS_PATH = Pattern.compile("extra-class-path=\"([^\"]*)\"");

    @Test
    void everyLibraryOfTheWarIsOnTheClassPathAndNoneIsWhereItWouldBeParsed() throws Exception {
        try (ZipFile war = new ZipFile(WAR.toFile())) {
            List<String> entries = war.stream().map(ZipEntry::getName).toList();
            Set<String> shipped = entries.stream().filter(name -> name.startsWith("WEB-INF/classpath/") && name.endsWith(".lib"))
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<String> parsed = entries.stream().filter(name -> name.endsWith(".jar")).collect(Collectors.toCollection(TreeSet::new));
            String descriptor = new String(war.getInputStream(war.getEntry("WEB-INF/glassfish-web.xml")).readAllBytes());
            Matcher classPath = EXTRA_CLASS_PATH.matcher(descriptor);
            assertTrue(classPath.find(), "glassfish-web.xml has an extra-class-path");
            Set<String> listed = Arrays.stream(classPath.group(1).split(":")).collect(Collectors.toCollection(TreeSet::new));

            assertTrue(shipped.stream().anyMatch(name -> name.endsWith("/liquibase-core.lib")), "Liquibase ships: " + shipped);
            assertEquals(shipped, listed, "WEB-INF/classpath and glassfish-web.xml's extra-class-path name the same files");
            assertEquals(Set.of(), parsed, "no *.jar in the WAR: Payara would parse every class of it at each deployment");
        }
    }

    @Test
    void theWarsDriverHasNoServiceEntryForPayarasLeakCheckToTripOver() throws Exception {
        String serviceEntry = "META-INF/services/java.sql.Driver";
        try (ZipFile war = new ZipFile(WAR.toFile()); ZipFile migrator = new ZipFile(MIGRATOR.toFile())) {
            try (ZipInputStream driver = new ZipInputStream(war.getInputStream(war.getEntry("WEB-INF/classpath/postgresql.lib")))) {
                List<String> entries = new ArrayList<>();
                for (ZipEntry entry; (entry = driver.getNextEntry()) != null; ) {
                    entries.add(entry.getName());
                }
                assertTrue(entries.contains("org/postgresql/Driver.class"), "the WAR ships the driver");
                assertFalse(entries.contains(serviceEntry), "without " + serviceEntry + " every boot logs a driver-leak WARNING");
            }
            assertTrue(migrator.getEntry(serviceEntry) != null, "the migrator's jar keeps the driver whole");
        }
    }

    @Test
    void theMigratorCommandShipsInItsJarAndNotInTheWar() throws Exception {
        String main = "com/erpmax/orchestrator/migrator/Main.class";
        try (ZipFile war = new ZipFile(WAR.toFile()); ZipFile migrator = new ZipFile(MIGRATOR.toFile())) {
            List<String> inWar = war.stream().map(ZipEntry::getName)
                    .filter(name -> name.startsWith("WEB-INF/classes/com/erpmax/orchestrator/migrator/")).toList();
            assertEquals(List.of(), inWar, "the WAR never runs the migrator; Payara would read its classes at each deployment");
            assertTrue(migrator.getEntry(main) != null, MIGRATOR + " has " + main);
            assertTrue(war.getEntry("WEB-INF/classes/com/erpmax/orchestrator/schema/control/Migrations.class") != null,
                    "the schema code both use is in the WAR too");
        }
    }

    @Test
    void theLauncherJarHoldsItsOwnPackageOnlyAndTheWarNoneOfIt() throws Exception {
        // On the JVM's class path, any class of the WAR in the launcher's jar would shadow the WAR's own.
        String launcherPackage = "com/erpmax/orchestrator/launcher/";
        try (ZipFile war = new ZipFile(WAR.toFile()); ZipFile launcher = new ZipFile(LAUNCHER.toFile())) {
            List<String> classes = launcher.stream().map(ZipEntry::getName).filter(name -> name.endsWith(".class")).toList();
            assertTrue(classes.contains(launcherPackage + "MicroLauncher.class"), "the launcher: " + classes);
            assertEquals(List.of(), classes.stream().filter(name -> !name.startsWith(launcherPackage)).toList(),
                    "nothing but the launcher's package in " + LAUNCHER);
            assertEquals(List.of(), war.stream().map(ZipEntry::getName)
                    .filter(name -> name.startsWith("WEB-INF/classes/" + launcherPackage)).toList(), "the WAR never runs the launcher");
        }
    }

    /**
     * payara/unused-cdi-extensions.txt switches off the CDI extensions of features the application
     * does not use, and RestApplication Jersey's Bean Validation. Used anyway, most of them would do
     * nothing rather than fail (an ignored @Transactional, @Valid or @CacheResult): so no class of
     * the WAR may refer to them.
     */
    @Test
    void noClassOfTheWarUsesAFeatureWhoseCdiExtensionIsSwitchedOff() throws Exception {
        Map<String, String> switchedOff = Map.ofEntries(
                Map.entry("Ljakarta/transaction/Transactional;", "@Transactional"),
                Map.entry("Ljakarta/transaction/TransactionScoped;", "@TransactionScoped"),
                Map.entry("jakarta/validation/", "Bean Validation"),
                Map.entry("jakarta/faces/", "Faces"),
                Map.entry("jakarta/mvc/", "MVC"),
                Map.entry("jakarta/batch/", "Batch"),
                Map.entry("jakarta/jms/", "Messaging (JMS)"),
                Map.entry("javax/cache/", "JCache"),
                Map.entry("Ljakarta/enterprise/concurrent/Asynchronous;", "Concurrency's @Asynchronous"),
                Map.entry("org/eclipse/microprofile/rest/client/", "MicroProfile REST Client"),
                Map.entry("org/eclipse/microprofile/opentracing/", "MicroProfile OpenTracing"),
                Map.entry("io/opentelemetry/", "MicroProfile Telemetry"),
                Map.entry("fish/payara/security/", "Payara's security connectors and realms"),
                Map.entry("fish/payara/micro/cdi/", "Payara Micro's CDI event bus"));
        List<String> uses = new ArrayList<>();
        try (ZipFile war = new ZipFile(WAR.toFile())) {
            for (ZipEntry entry : war.stream().filter(e -> e.getName().startsWith("WEB-INF/classes/") && e.getName().endsWith(".class")).toList()) {
                // A class file names every type it refers to in its constant pool, as UTF-8.
                String constants = new String(war.getInputStream(entry).readAllBytes(), StandardCharsets.ISO_8859_1);
                switchedOff.forEach((reference, feature) -> {
                    if (constants.contains(reference)) {
                        uses.add(entry.getName() + " uses " + feature);
                    }
                });
            }
        }
        assertEquals(List.of(), uses, "switched off in payara/unused-cdi-extensions.txt (or RestApplication): delete its line first");
    }
}
