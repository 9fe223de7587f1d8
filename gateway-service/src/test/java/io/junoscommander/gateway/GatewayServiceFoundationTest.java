package io.junoscommander.gateway;

import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.infra.testing.ServiceFoundationContract;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class GatewayServiceFoundationTest extends ServiceFoundationContract {

    @Override
    protected String serviceName() {
        return "gateway-service";
    }

    @Override
    protected String schema() {
        return "gateway";
    }
}
