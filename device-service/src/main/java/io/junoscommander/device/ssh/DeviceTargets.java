package io.junoscommander.device.ssh;

import io.junoscommander.device.credential.CredentialService;
import io.junoscommander.device.hostkey.HostKeyRepository;
import io.junoscommander.device.inventory.Device;
import io.junoscommander.device.inventory.DeviceRepository;
import io.junoscommander.support.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Turns device ids into targets: the device, its decrypted credential and its host key on record. */
@ApplicationScoped
public class DeviceTargets {

    private final DeviceRepository devices;
    private final CredentialService credentials;
    private final HostKeyRepository hostKeys;

    DeviceTargets(DeviceRepository devices, CredentialService credentials, HostKeyRepository hostKeys) {
        this.devices = devices;
        this.credentials = credentials;
        this.hostKeys = hostKeys;
    }

    /** Targets in the order of {@code ids}; an unknown id, a disabled device or one without credential is a 400 naming it. */
    public Uni<List<DeviceTarget>> resolve(List<UUID> ids) {
        List<UUID> unique = new ArrayList<>(new LinkedHashSet<>(ids));
        return devices.findAll(unique).flatMap(found -> {
            Map<UUID, Device> byId = new HashMap<>();
            found.forEach(device -> byId.put(device.id(), device));
            List<String> problems = new ArrayList<>();
            for (UUID id : unique) {
                Device device = byId.get(id);
                if (device == null) {
                    problems.add("no device " + id);
                } else if (device.credentialId() == null) {
                    problems.add("device " + device.name() + " has no credential");
                } else if (!device.enabled()) {
                    problems.add("device " + device.name() + " is disabled");
                }
            }
            if (!problems.isEmpty()) {
                throw ProblemException.badRequest("deviceIds", String.join("; ", problems));
            }
            // one query each for the devices, their host keys and their credentials, however many devices
            List<UUID> credentialIds = unique.stream().map(byId::get).map(Device::credentialId).distinct().toList();
            return hostKeys.forDevices(unique).flatMap(keys -> credentials.secrets(credentialIds).map(secrets -> unique.stream().map(id -> {
                Device device = byId.get(id);
                CredentialService.Secrets login = secrets.get(device.credentialId());
                HostKeyRepository.HostKey key = keys.get(id);
                return new DeviceTarget(device.id(), device.name(), device.host(), device.port(), device.platform(), login.username(),
                        login.password(), login.privateKey(), login.passphrase(), key == null ? null : key.publicKey(),
                        key != null && key.pinned());
            }).toList()));
        });
    }

    public Uni<DeviceTarget> resolve(UUID id) {
        return devices.find(id).map(found -> found.orElseThrow(() -> ProblemException.notFound("device " + id)))
                .flatMap(device -> resolve(List.of(device.id()))).map(list -> list.get(0));
    }
}
