package com.erpmax.orchestrator.launcher;

import com.erpmax.orchestrator.platform.control.Settings;
import com.erpmax.orchestrator.platform.entity.ExitCodes;

import fish.payara.micro.PayaraMicro;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.UnaryOperator;
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

    public static void main(String[] args) throws Throwable {
        bootMicro(args);
        Collection<String> deployed = PayaraMicro.getInstance().getRuntime().getDeployedApplicationNames();
        List<String> requested = deployments(args);
        if (deployed.size() >= requested.size()) {
            return; // Micro's threads keep the JVM running
        }
        String failure = "Start-up FAILED: not deployed: " + String.join(", ", requested)
                + " (Payara's errors above say why; deployed: " + (deployed.isEmpty() ? "nothing" : String.join(", ", deployed)) + ")";
        if (staysOnFailure(System::getProperty, System::getenv)) {
            LOG.severe(failure + ". Staying up, as " + Settings.STARTUP_ON_FAILURE + "=stay asks; /health/* answers 404 or 503.");
        } else {
            LOG.severe(failure + ". Exiting with code " + ExitCodes.STARTUP_FAILED + ".");
            System.exit(ExitCodes.STARTUP_FAILED);
        }
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
