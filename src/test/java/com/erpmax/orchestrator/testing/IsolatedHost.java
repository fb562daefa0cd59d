package com.erpmax.orchestrator.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A second "host" on this machine: a network namespace joined to this one by a virtual cable
 * (a veth pair, a /30 of 198.18.0.0/15, the range set aside for tests). {@link #cutCable()} takes
 * the isolated host's end down, so that it falls silent as a host does when its power or its
 * network goes, without a FIN or a RST: what a kill, which its kernel answers for, cannot show.
 * Names carry the test JVM's pid, so that runs side by side never touch each other's, and a
 * run's leftovers (its JVM killed) are removed by the next. Needs root and iproute2's {@code ip}.
 */
public final class IsolatedHost implements AutoCloseable {

    private static final String PREFIX = "erpmax-vh";

    private final String namespace;
    private final String hostSide;
    private final String peerSide;
    private final int subnet;
    private boolean namespaceMade;
    private boolean cableMade;

    private IsolatedHost(long pid) {
        this.namespace = PREFIX + pid;
        this.hostSide = "evh" + pid + "a";
        this.peerSide = "evh" + pid + "b";
        // 198.18.0.0/15 holds 32,768 subnets of four addresses.
        this.subnet = (198 << 24 | 18 << 16) + (int) (pid % 32_768) * 4;
    }

    /** Skips the calling test, saying why, where this machine cannot make one. */
    public static void assumeAvailable() {
        String why = unavailableBecause();
        Assumptions.assumeTrue(why == null, why);
    }

    /** Why this machine cannot make one, or null when it can: tried for real, since root may still lack the right. */
    static String unavailableBecause() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "network namespaces need root (user " + System.getProperty("user.name") + ")";
        }
        String probe = PREFIX + "-probe" + ProcessHandle.current().pid();
        String whyNot = Command.whyNot("ip", "netns", "add", probe);
        if (whyNot != null) {
            return "cannot make a network namespace: " + whyNot;
        }
        return Command.whyNot("ip", "netns", "del", probe);
    }

    public static IsolatedHost create() throws IOException, InterruptedException {
        removeLeftovers();
        IsolatedHost host = new IsolatedHost(ProcessHandle.current().pid());
        try {
            Command.run("ip", "netns", "add", host.namespace);
            host.namespaceMade = true;
            Command.run("ip", "link", "add", host.hostSide, "type", "veth", "peer", "name", host.peerSide);
            host.cableMade = true;
            Command.run("ip", "link", "set", host.peerSide, "netns", host.namespace);
            Command.run("ip", "addr", "add", host.localAddress() + "/30", "dev", host.hostSide);
            Command.run("ip", "link", "set", host.hostSide, "up");
            host.inside("ip", "addr", "add", host.address() + "/30", "dev", host.peerSide);
            host.inside("ip", "link", "set", host.peerSide, "up");
            host.inside("ip", "link", "set", "lo", "up");
        } catch (IOException e) {
            throw Command.closeAfter(e, host);
        } catch (RuntimeException e) {
            throw Command.closeAfter(e, host);
        }
        return host;
    }

    /** This machine's address on the cable, where the isolated host reaches it. */
    public String localAddress() {
        return dotted(subnet + 1);
    }

    /** The isolated host's address. */
    public String address() {
        return dotted(subnet + 2);
    }

    /** A process on the isolated host. */
    public ProcessBuilder process(List<String> command) {
        return new ProcessBuilder(onThisHost(command));
    }

    /** The command line that runs {@code command} on the isolated host. */
    public List<String> onThisHost(List<String> command) {
        List<String> inNamespace = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        inNamespace.addAll(command);
        return inNamespace;
    }

    /** From now on nothing passes between the two hosts, and this one is never told why. */
    public void cutCable() throws IOException, InterruptedException {
        inside("ip", "link", "set", peerSide, "down");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (namespaceMade) {
            remove(namespace);
        } else if (cableMade) {
            Command.runIgnoringFailure("ip", "link", "del", hostSide);
        }
    }

    private void inside(String... command) throws IOException, InterruptedException {
        Command.run(onThisHost(List.of(command)).toArray(String[]::new));
    }

    /** Namespaces of test JVMs that are gone, with their cables. */
    private static void removeLeftovers() throws IOException, InterruptedException {
        for (String line : Command.runIgnoringFailure("ip", "netns", "list").split("\n")) {
            String name = line.split(" ")[0];
            if (name.matches(PREFIX + "\\d+")) {
                boolean ownerAlive = ProcessHandle.of(Long.parseLong(name.substring(PREFIX.length())))
                        .map(ProcessHandle::isAlive).orElse(false);
                if (!ownerAlive) {
                    remove(name);
                }
            }
        }
    }

    /** Ends the processes in a namespace (they would keep it, and the cable, alive), then the namespace and its cable. */
    private static void remove(String namespace) throws IOException, InterruptedException {
        for (String pid : Command.runIgnoringFailure("ip", "netns", "pids", namespace).split("\\s+")) {
            if (pid.matches("\\d+")) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        Command.runIgnoringFailure("ip", "link", "del", "evh" + namespace.substring(PREFIX.length()) + "a");
        Command.runIgnoringFailure("ip", "netns", "del", namespace);
    }

    private static String dotted(int address) {
        return (address >>> 24) + "." + (address >> 16 & 0xff) + "." + (address >> 8 & 0xff) + "." + (address & 0xff);
    }
}
