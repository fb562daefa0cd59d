package com.erpmax.orchestrator.schema.control;

import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Liquibase for the WAR, from {@code WEB-INF/liquibase/*.lib} instead of {@code WEB-INF/lib/*.jar}.
 * <p>
 * Why: at each deployment Payara parses every class of every entry named {@code *.jar},
 * wherever it is in the WAR (three quarters of the classes were Liquibase's and its
 * libraries'), although a boot that finds the schema current never runs Liquibase. So the jars
 * are shipped under another name (src/assembly/war-liquibase.xml), and this loader opens them
 * only when Liquibase has work to do. It looks in them first (child-first), and defines
 * {@code LiquibaseChangelog}, whose code names Liquibase's types, from the application's class
 * file, so that those names resolve here. Everything else (the JDK, Jakarta, our entity classes,
 * {@link ChangelogEngine}, the PostgreSQL driver, Payara's SnakeYAML, the changelog files) comes
 * from the application's loader, the same classes the rest of the WAR sees.
 * <p>
 * Where Liquibase is on the class path already (the migrator jar, the tests, the build), the
 * application's own loader is used and this class is not instantiated.
 */
final class LiquibaseClassLoader extends URLClassLoader {

    /** The class that talks to Liquibase; named, not referenced, so that the application's loader never loads it. */
    static final String ENGINE = "com.erpmax.orchestrator.schema.control.LiquibaseChangelog";

    /** Jars by content; not named {@code *.jar}, which Payara would parse. */
    private static final String JAR_SUFFIX = ".lib";

    static {
        registerAsParallelCapable();
    }

    private LiquibaseClassLoader(URL[] jars, ClassLoader application) {
        super("erpmax-liquibase", jars, application);
    }

    /**
     * The loader to run Liquibase in: {@code application} itself when it has Liquibase, else one
     * over the jars in {@code WEB-INF/liquibase}, beside the {@code WEB-INF/classes} this class
     * came from (Payara deploys a WAR unpacked).
     */
    static ClassLoader forApplication(ClassLoader application) throws IOException {
        if (application.getResource("liquibase/Liquibase.class") != null) {
            return application;
        }
        Path directory = webInf().resolve("liquibase");
        URL[] jars;
        try (Stream<Path> files = Files.list(directory)) {
            jars = files.filter(file -> file.toString().endsWith(JAR_SUFFIX)).sorted().map(LiquibaseClassLoader::url).toArray(URL[]::new);
        } catch (IOException e) {
            throw new IOException("Liquibase is neither on the class path nor in " + directory + ": " + e, e);
        }
        if (jars.length == 0) {
            throw new IOException("Liquibase is neither on the class path nor in " + directory + " (no *" + JAR_SUFFIX + " there)");
        }
        return new LiquibaseClassLoader(jars, application);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> type = findLoadedClass(name);
            if (type == null) {
                if (name.equals(ENGINE) || name.startsWith(ENGINE + '$')) {
                    type = defineFromApplication(name);
                } else if (name.startsWith("java.")) {
                    type = getParent().loadClass(name);
                } else {
                    try {
                        type = findClass(name);
                    } catch (ClassNotFoundException notInTheJars) {
                        type = getParent().loadClass(name);
                    }
                }
            }
            if (resolve) {
                resolveClass(type);
            }
            return type;
        }
    }

    private Class<?> defineFromApplication(String name) throws ClassNotFoundException {
        try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
            if (in == null) {
                throw new ClassNotFoundException(name);
            }
            byte[] bytes = in.readAllBytes();
            return defineClass(name, bytes, 0, bytes.length);
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
    }

    /**
     * The unpacked WAR's {@code WEB-INF}: an ancestor of this class's file. (Payara gives the
     * class's own directory as its code source, not {@code WEB-INF/classes}.)
     */
    private static Path webInf() throws IOException {
        URL classFile = LiquibaseClassLoader.class.getResource(LiquibaseClassLoader.class.getSimpleName() + ".class");
        if (classFile != null && "file".equals(classFile.getProtocol())) {
            try {
                for (Path directory = Path.of(classFile.toURI()).getParent(); directory != null; directory = directory.getParent()) {
                    if (directory.getFileName() != null && directory.getFileName().toString().equals("WEB-INF")) {
                        return directory;
                    }
                }
            } catch (URISyntaxException e) {
                throw new IOException("Liquibase is not on the class path, and " + classFile + " is not a file's address", e);
            }
        }
        throw new IOException("Liquibase is not on the class path, and " + classFile + " is not in an unpacked WAR's WEB-INF");
    }

    private static URL url(Path jar) {
        try {
            return jar.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }
}
