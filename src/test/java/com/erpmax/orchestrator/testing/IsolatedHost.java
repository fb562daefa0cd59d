package com.erpmax.orchestrator.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A second "host" on this machine: a network namespace joined to this one by a virtual cable
 * (a veth pair, /30 subnet). {@link #cutCable()} takes this side's end down, so that the host falls
 * silent as one does when its power or its network goes, without a FIN or a RST: what a kill,
 * which its kernel answers for, cannot show. Needs root and iproute2's {@code ip}.
 */
public final class IsolatedHost implements AutoCloseable {

    private final String namespace;
    private final String hostSide;
    private final String subnet;

    private IsolatedHost(String namespace, String hostSide, String subnet) {
        this.namespace = namespace;
        this.hostSide = hostSide;
        this.subnet = subnet;
    }

    /** Why this machine cannot make one, or null when it can. */
    public static String unavailableBecause() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "network namespaces need root (user " + System.getProperty("user.name") + ")";
        }
        try {
            run("ip", "netns", "list");
            return null;
        } catch (IOException | RuntimeException e) {
            return "no iproute2 (ip): " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    public static IsolatedHost create() throws IOException, InterruptedException {
        int id = ThreadLocalRandom.current().nextInt(1, 250);
        String name = "erpmax-vh" + id;
        String hostSide = "evh" + id + "a";
        String peerSide = "evh" + id + "b";
        IsolatedHost host = new IsolatedHost(name, hostSide, "10.213." + id);
        try {
            run("ip", "netns", "add", name);
            run("ip", "link", "add", hostSide, "type", "veth", "peer", "name", peerSide);
            run("ip", "link", "set", peerSide, "netns", name);
            run("ip", "addr", "add", host.localAddress() + "/30", "dev", hostSide);
            run("ip", "link", "set", hostSide, "up");
            run("ip", "netns", "exec", name, "ip", "addr", "add", host.address() + "/30", "dev", peerSide);
            run("ip", "netns", "exec", name, "ip", "link", "set", peerSide, "up");
            run("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up");
        } catch (IOException | RuntimeException e) {
            host.close();
            throw e;
        }
        return host;
    }

    /** This machine's address on the cable, where the isolated host reaches it. */
    public String localAddress() {
        return subnet + ".1";
    }

    /** The isolated host's address. */
    public String address() {
        return subnet + ".2";
    }

    /** A process on the isolated host. */
    public ProcessBuilder process(List<String> command) {
        List<String> inNamespace = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        inNamespace.addAll(command);
        return new ProcessBuilder(inNamespace);
    }

    /** From now on nothing passes between the two hosts, in either direction. */
    public void cutCable() throws IOException, InterruptedException {
        run("ip", "link", "set", hostSide, "down");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        // Processes left in the namespace would keep it, and the cable, alive.
        String pids = run("ip", "netns", "pids", namespace, "--ignore-failure");
        for (String pid : pids.split("\\s+")) {
            if (!pid.isBlank()) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        run("ip", "link", "del", hostSide, "--ignore-failure");
        run("ip", "netns", "del", namespace, "--ignore-failure");
    }

    /** Runs a command; a trailing "--ignore-failure" makes a non-zero exit acceptable. */
    private static String run(String... command) throws IOException, InterruptedException {
        boolean ignoreFailure = command[command.length - 1].equals("--ignore-failure");
        List<String> args = new ArrayList<>(List.of(command));
        if (ignoreFailure) {
            args.remove(args.size() - 1);
        }
        Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", args) + ": no answer in 30 s");
        }
        if (process.exitValue() != 0 && !ignoreFailure) {
            throw new IOException(String.join(" ", args) + ": exit " + process.exitValue() + ": " + output.strip());
        }
        return output;
    }
}
