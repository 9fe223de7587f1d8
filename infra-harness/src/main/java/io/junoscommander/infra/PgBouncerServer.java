package io.junoscommander.infra;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The harness's PgBouncer in transaction mode in front of {@link PostgresServer}, the way the services reach the database. */
final class PgBouncerServer {

    private static final String ADMIN = "jcadmin";

    private final InfraSettings settings;
    private final HarnessState state;

    PgBouncerServer(InfraSettings settings, HarnessState state) {
        this.settings = settings;
        this.state = state;
    }

    Path pidFile() {
        return settings.pgBouncerDir().resolve("pgbouncer.pid");
    }

    /** Starts PgBouncer (again) with the harness's configuration and waits until it answers. */
    void start() {
        Path dir = settings.pgBouncerDir();
        if (HarnessFiles.runs(pidFile())) {
            return;
        }
        HarnessFiles.createOwnedByPostgres(dir);
        HarnessFiles.writeAsPostgresUser(dir.resolve("userlist.txt"), "\"" + settings.user() + "\" \"" + state.dbPassword() + "\"\n\""
                + ADMIN + "\" \"" + state.pgBouncerAdminPassword() + "\"\n");
        HarnessFiles.writeAsPostgresUser(dir.resolve("pgbouncer.ini"), """
                [databases]
                %1$s = host=127.0.0.1 port=%2$d dbname=%1$s

                [pgbouncer]
                listen_addr = 127.0.0.1
                listen_port = %3$d
                unix_socket_dir = %4$s
                pidfile = %4$s/pgbouncer.pid
                auth_type = scram-sha-256
                auth_file = %4$s/userlist.txt
                admin_users = %5$s
                stats_users = %5$s
                pool_mode = transaction
                max_client_conn = 2000
                default_pool_size = 40
                reserve_pool_size = 10
                server_reset_query =
                ignore_startup_parameters = extra_float_digits,options
                """.formatted(settings.database(), settings.ports().postgres(), settings.ports().pgBouncer(), dir, ADMIN)
                + tlsConfig(dir));
        Commands.spawn(Commands.asPostgresUser(List.of(DebianBinaries.require("pgbouncer", "pgbouncer").toString(),
                dir.resolve("pgbouncer.ini").toString())), dir.resolve("pgbouncer.log"));
        HarnessFiles.await("PgBouncer on port " + settings.ports().pgBouncer(), () -> admin("SHOW VERSION").ok());
    }

    /** Stops PgBouncer and waits until it is gone; clients see their connections drop. */
    void stop() {
        HarnessFiles.stopByPidFile(pidFile());
    }

    /** A {@code SHOW …} command on the admin console, e.g. {@code SHOW POOLS}; rows as column maps. */
    List<Map<String, String>> show(String what) {
        Commands.Result result = admin("SHOW " + what);
        if (!result.ok()) {
            throw new IllegalStateException("SHOW " + what + " failed: " + result.output());
        }
        return PostgresServer.parseTable(result.output());
    }

    /** Clients must speak TLS to PgBouncer (a plain one is refused at startup); its connections to PostgreSQL stay plain. */
    private String tlsConfig(Path dir) {
        if (!settings.tls()) {
            return "";
        }
        TlsCertificates tls = settings.tlsCertificates();
        HarnessFiles.writeAsPostgresUser(dir.resolve("server.crt"), HarnessFiles.read(tls.certificate()));
        HarnessFiles.writeAsPostgresUser(dir.resolve("server.key"), HarnessFiles.read(tls.key()));
        HarnessFiles.writeAsPostgresUser(dir.resolve("ca.crt"), HarnessFiles.read(tls.authority()));
        return """
                client_tls_sslmode = require
                client_tls_cert_file = %1$s/server.crt
                client_tls_key_file = %1$s/server.key
                client_tls_ca_file = %1$s/ca.crt
                """.formatted(dir);
    }

    private Commands.Result admin(String command) {
        return Commands.run(List.of(DebianBinaries.require("psql", "postgresql-client").toString(), "-h", "127.0.0.1", "-p",
                Integer.toString(settings.ports().pgBouncer()), "-U", ADMIN, "-d", "pgbouncer", "-X", "-A", "-F", "\t", "-P",
                "footer=off", "-c", command), Map.of("PGPASSWORD", state.pgBouncerAdminPassword(), "PGCONNECT_TIMEOUT", "3",
                "PGSSLMODE", settings.tls() ? "require" : "disable"), null, Duration.ofSeconds(10));
    }
}
