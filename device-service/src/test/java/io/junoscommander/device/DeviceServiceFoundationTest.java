package io.junoscommander.device;

import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.infra.testing.ServiceFoundationContract;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class DeviceServiceFoundationTest extends ServiceFoundationContract {

    @Override
    protected String serviceName() {
        return "device-service";
    }

    @Override
    protected String schema() {
        return "device";
    }
}
