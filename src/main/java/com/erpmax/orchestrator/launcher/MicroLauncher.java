package com.erpmax.orchestrator.launcher;

import com.erpmax.orchestrator.platform.control.Settings;
import com.erpmax.orchestrator.platform.entity.ExitCodes;

import fish.payara.micro.PayaraMicro;
import fish.payara.micro.data.ApplicationDescriptor;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Boots Payara Micro as its root-directory launcher does, then checks that what was given to
 * {@code --deploy} is deployed.
 *
 * <p>Micro does not: when a deployment fails (an unreadable WAR, a class missing from it, a CDI
 * definition error) it logs the error, then "Deployed 1 archive(s)" and "ready in", and runs on
 * with nothing deployed, answering 404 or 503 on every path for ever. The start-up gate, which
 * exits with code 3 on its own failures, never ran. Here such an instance ends the same way, so a
 * restart policy or an operator sees it, unless {@code erpmax.startup.on-failure} is {@code stay}.
 *
 * <p>It runs on the JVM's class path, which the WAR's class loader asks first: a class of the WAR
 * in this jar would be loaded from here, apart from the rest of the WAR. So the jar holds this
 * package only, and of the WAR's classes this one uses just constants ({@link Settings} keys,
 * {@link ExitCodes}), which the compiler copies in.
 */
public final class MicroLauncher {

    private static final Logger LOG = Logger.getLogger(MicroLauncher.class.getName());

    /**
     * The main class of the {@code launch-micro.jar} that Micro writes into a root directory
     * ({@code --outputlauncher}); it sets Micro's boot properties and adds {@code --rootdir}.
     */
    static final String ROOT_DIR_LAUNCHER = "fish.payara.micro.impl.RootDirLauncher";
    static final String DEPLOY_OPTION = "--deploy";
    /** {@code Settings.environmentName(Settings.STARTUP_ON_FAILURE)}, spelled out: see above. */
    static final String STARTUP_ON_FAILURE_ENVIRONMENT_NAME = "ERPMAX_STARTUP_ON_FAILURE";
    /** {@code FailurePolicy.STAY}'s value. */
    static final String STAY = "stay";

    private MicroLauncher() {
    }

    public static void main(String[] args) {
        List<String> requested = deployments(args);
        try {
            bootMicro(args);
        } catch (Throwable e) {
            // Micro's own main would end here with exit code 1, or never end if a thread it
            // started is still alive; this is a start-up that FAILED like any other.
            LOG.log(Level.SEVERE, "Payara Micro did not start", e);
            failed("Start-up FAILED: Payara Micro did not start (" + e + ")");
            return;
        }
        // The instance's own descriptor, which Micro also prints as "Deployed": an application whose
        // web module failed to start (a CDI dependency unsatisfied, say) is missing from it, while
        // getDeployedApplicationNames() still lists it, and Micro then answers 500 on every path.
        Collection<String> deployed = PayaraMicro.getInstance().getRuntime().getLocalDescriptor().getDeployedApplications()
                .stream().map(ApplicationDescriptor::getName).toList();
        List<String> missing = notDeployed(requested, deployed);
        if (!missing.isEmpty()) {
            failed("Start-up FAILED: not deployed: " + String.join(", ", missing) + " (Payara's errors above say why; deployed: "
                    + (deployed.isEmpty() ? "nothing" : String.join(", ", deployed)) + ")");
        } // else Micro's threads keep the JVM running
    }

    private static void failed(String failure) {
        if (staysOnFailure(System::getProperty, System::getenv)) {
            LOG.severe(failure + ". Staying up, as " + Settings.STARTUP_ON_FAILURE + "=stay asks; /health/* answers 404 or 503.");
        } else {
            LOG.severe(failure + ". Exiting with code " + ExitCodes.STARTUP_FAILED + ".");
            System.exit(ExitCodes.STARTUP_FAILED);
        }
    }

    /**
     * Which of the {@code --deploy} values has no deployed application. Micro names an application
     * after its file or directory, without the archive's extension ({@code /opt/erpmax/lib/erpmax.war}
     * is {@code erpmax}), as its instance descriptor lists it.
     */
    static List<String> notDeployed(List<String> requested, Collection<String> deployed) {
        List<String> missing = new ArrayList<>();
        for (String deployment : requested) {
            if (!deployed.contains(applicationName(deployment))) {
                missing.add(deployment);
            }
        }
        return missing;
    }

    static String applicationName(String deployment) {
        Path file = Path.of(deployment).getFileName();
        String name = file == null ? deployment : file.toString();
        return name.replaceFirst("(?i)\\.(war|jar|ear|rar)$", "");
    }

    /** The values of every {@code --deploy} option, in order. */
    static List<String> deployments(String[] args) {
        List<String> deployments = new ArrayList<>();
        for (int i = 0; i + 1 < args.length; i++) {
            if (DEPLOY_OPTION.equalsIgnoreCase(args[i])) {
                deployments.add(args[++i]);
            }
        }
        return deployments;
    }

    /**
     * Whether {@code erpmax.startup.on-failure} says {@code stay}, read as the WAR reads it: a system
     * property, else its environment form. Any other value means the default, {@code exit}.
     */
    static boolean staysOnFailure(UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
        String value = systemProperties.apply(Settings.STARTUP_ON_FAILURE);
        if (value == null) {
            value = environment.apply(STARTUP_ON_FAILURE_ENVIRONMENT_NAME);
        }
        return value != null && value.trim().equalsIgnoreCase(STAY);
    }

    /** Returns once Micro has booted and tried every deployment, as its own main method does. */
    private static void bootMicro(String[] args) throws Throwable {
        try {
            Class.forName(ROOT_DIR_LAUNCHER).getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
