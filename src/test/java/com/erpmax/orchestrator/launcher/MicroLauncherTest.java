package com.erpmax.orchestrator.launcher;

import com.erpmax.orchestrator.platform.control.Settings;
import com.erpmax.orchestrator.schema.entity.FailurePolicy;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MicroLauncherTest {

    @Test
    void readsTheFailurePolicyAsTheWarDoes() {
        assertEquals(Settings.environmentName(Settings.STARTUP_ON_FAILURE), MicroLauncher.STARTUP_ON_FAILURE_ENVIRONMENT_NAME);
        assertEquals(FailurePolicy.STAY.name().toLowerCase(Locale.ROOT), MicroLauncher.STAY);

        assertFalse(MicroLauncher.staysOnFailure(key -> null, name -> null), "exit by default");
        assertTrue(MicroLauncher.staysOnFailure(key -> null, Map.of("ERPMAX_STARTUP_ON_FAILURE", " Stay ")::get));
        assertTrue(MicroLauncher.staysOnFailure(Map.of("erpmax.startup.on-failure", "stay")::get, name -> "exit"),
                "a system property wins over the environment, as in MicroProfile Config");
        assertFalse(MicroLauncher.staysOnFailure(Map.of("erpmax.startup.on-failure", "exit")::get, name -> "stay"));
        assertFalse(MicroLauncher.staysOnFailure(key -> null, name -> "sometimes"), "an unusable value is the default");
    }

    @Test
    void findsEveryDeployment() {
        assertEquals(List.of("/a/erpmax.war", "b.war"), MicroLauncher.deployments(new String[] {
                "--domainconfig", "d.xml", "--deploy", "/a/erpmax.war", "--contextroot", "/", "--DEPLOY", "b.war", "--nohazelcast"}));
        assertEquals(List.of(), MicroLauncher.deployments(new String[] {"--deploy"}), "an option without its value deploys nothing");
    }

    @Test
    void aDeploymentIsMissingWhenNoApplicationHasItsFilesName() {
        assertEquals("erpmax", MicroLauncher.applicationName("/opt/erpmax/lib/erpmax.war"));
        assertEquals("exploded", MicroLauncher.applicationName("target/exploded"));
        assertEquals(List.of(), MicroLauncher.notDeployed(List.of("/opt/erpmax/lib/erpmax.war"), List.of("erpmax")));
        assertEquals(List.of("/a/erpmax.war"), MicroLauncher.notDeployed(List.of("/a/erpmax.war"), List.of()));
        assertEquals(List.of("/a/erpmax.war"), MicroLauncher.notDeployed(List.of("/a/erpmax.war"), List.of("other")),
                "another application deployed does not stand for this one");
        assertEquals(List.of(), MicroLauncher.notDeployed(List.of("/a/erpmax.war", "/a/erpmax.war"), List.of("erpmax")),
                "the same WAR given twice is deployed once");
    }

    @Test
    void turnsTheManifestsModuleAttributesIntoCommandLineOptions() throws IOException {
        String manifest = "Manifest-Version: 1.0\r\n"
                + "Main-Class: fish.payara.micro.impl.RootDirLauncher\r\n"
                + "Add-Exports: java.base/jdk.internal.ref jdk.naming.dns/com.sun.jndi.dns \r\n"
                + "Add-Opens: java.base/jdk.internal.loader java.base/java.lang java.base/j\r\n"
                + " ava.net\r\n\r\n"; // a long value continues on the next line, after one space
        List<String> options = ManifestModuleOptions.options(new Manifest(new ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8))));
        assertEquals(List.of("--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
                "--add-exports=jdk.naming.dns/com.sun.jndi.dns=ALL-UNNAMED",
                "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED",
                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/java.net=ALL-UNNAMED"), options);
        assertEquals(List.of(), ManifestModuleOptions.options(new Manifest()));
    }
}
