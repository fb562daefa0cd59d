package bench.ping;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** Mounts JAX-RS at /api, like the real application. */
@ApplicationPath("api")
public class PingApplication extends Application {
}
