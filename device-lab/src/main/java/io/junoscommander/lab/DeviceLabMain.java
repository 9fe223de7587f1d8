package io.junoscommander.lab;

import io.junoscommander.lab.fault.Fault;
import io.junoscommander.lab.fault.FaultKind;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * Standalone device lab:
 * {@code java -jar device-lab.jar --devices 50 --base-port 22000 --inventory inventory.json [--linux 5] [--admin-port 21999]
 * [--host-key-file path]}. Writes the inventory, prints one summary line and runs until SIGTERM.
 */
public final class DeviceLabMain {

    static final String USAGE = String.join("\n",
            "usage: java -jar device-lab.jar [options]",
            "  --devices N             Junos devices lab-r0001.. (default 10)",
            "  --linux N               Linux hosts lab-h0001.. (default 0)",
            "  --base-port P           first SSH port, one port per device; 0 = free ports (default 22000)",
            "  --host H                listen address (default 127.0.0.1)",
            "  --inventory FILE        write the device inventory (JSON) here",
            "  --admin-port P          admin HTTP port (default: none; 0 = free port)",
            "  --host-key-file FILE    keep the lab host key in FILE across restarts",
            "  --own-host-key NAME     give device NAME its own host key (repeatable)",
            "  --extra-host-keys LIST  also present host keys of these types besides ECDSA: ed25519, rsa (comma separated)",
            "  --username U --password P   login of every device (default lab / lab)",
            "  --authorized-keys FILE  also accept public-key login with the keys of this OpenSSH authorized_keys file",
            "  --minute-millis MS      length of a commit-confirmed minute (default 60000)",
            "  --fault NAME:KIND[=N]   start with a fault, KIND one of wrong-password, latency, hang, disconnect, huge-output",
            "  --io-threads N          shared SSH IO threads");

    private DeviceLabMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        DeviceLab lab;
        try {
            lab = launch(args, System.out);
        } catch (IllegalArgumentException e) {
            System.err.println("device lab: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        } catch (IOException e) {
            System.err.println("device lab: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            lab.close();
            stopped.countDown();
        }, "lab-shutdown"));
        stopped.await();
    }

    /** Starts the lab described by the arguments, writes the inventory and prints the summary line; does not block. */
    public static DeviceLab launch(String[] args, PrintStream out) throws IOException {
        LabConfig.Builder config = LabConfig.builder().devices(10).basePort(22_000);
        Path inventory = null;
        String username = "lab";
        String password = "lab";
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--help") || option.equals("-h")) {
                throw new IllegalArgumentException("help requested");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + option);
            }
            String value = args[++i];
            switch (option) {
                case "--devices":
                    config.devices(number(option, value));
                    break;
                case "--linux":
                    config.linuxDevices(number(option, value));
                    break;
                case "--base-port":
                    config.basePort(number(option, value));
                    break;
                case "--host":
                    config.host(value);
                    break;
                case "--inventory":
                    inventory = Path.of(value);
                    break;
                case "--admin-port":
                    config.adminPort(number(option, value));
                    break;
                case "--host-key-file":
                    config.hostKeyFile(Path.of(value));
                    break;
                case "--own-host-key":
                    config.ownHostKey(value);
                    break;
                case "--extra-host-keys":
                    for (String type : value.split(",")) {
                        config.extraHostKey(type.strip());
                    }
                    break;
                case "--username":
                    username = value;
                    break;
                case "--password":
                    password = value;
                    break;
                case "--authorized-keys":
                    authorizedKeys(Path.of(value)).forEach(config::authorizedKey);
                    break;
                case "--minute-millis":
                    config.minuteMillis(number(option, value));
                    break;
                case "--fault":
                    addFault(config, value);
                    break;
                case "--io-threads":
                    config.ioThreads(number(option, value));
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + option);
            }
        }
        DeviceLab lab = DeviceLab.start(config.credentials(username, password).build());
        try {
            if (inventory != null) {
                lab.writeInventory(inventory);
            }
        } catch (IOException e) {
            lab.close();
            throw e;
        }
        out.println(summary(lab));
        out.flush();
        return lab;
    }

    static String summary(DeviceLab lab) {
        List<LabDevice> devices = lab.devices();
        int low = devices.stream().mapToInt(LabDevice::port).min().orElse(0);
        int high = devices.stream().mapToInt(LabDevice::port).max().orElse(0);
        String host = lab.config().host();
        String line = "device lab: " + devices.size() + " devices on " + host + ":" + low + "-" + high;
        return lab.adminPort() < 0 ? line : line + ", admin http://" + host + ":" + lab.adminPort();
    }

    /** Keys of an OpenSSH authorized_keys file; ed25519 lines are skipped (they need the eddsa library). */
    static List<PublicKey> authorizedKeys(Path file) throws IOException {
        try {
            return PublicKeyEntry.resolvePublicKeyEntries(null, AuthorizedKeyEntry.readAuthorizedKeys(file),
                    PublicKeyEntryResolver.IGNORING);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("unreadable key in " + file + ": " + e.getMessage(), e);
        }
    }

    private static void addFault(LabConfig.Builder config, String spec) {
        int colon = spec.indexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException("--fault wants NAME:KIND[=N], got " + spec);
        }
        String kindAndAmount = spec.substring(colon + 1);
        int equals = kindAndAmount.indexOf('=');
        FaultKind kind = FaultKind.parse(equals < 0 ? kindAndAmount : kindAndAmount.substring(0, equals));
        long amount = equals < 0 ? 0 : number("--fault", kindAndAmount.substring(equals + 1));
        config.fault(spec.substring(0, colon), new Fault(kind, amount));
    }

    private static int number(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " wants a number, got " + value);
        }
    }
}
