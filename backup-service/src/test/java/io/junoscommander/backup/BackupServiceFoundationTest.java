package io.junoscommander.backup;

import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.infra.testing.ServiceFoundationContract;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class BackupServiceFoundationTest extends ServiceFoundationContract {

    @Override
    protected String serviceName() {
        return "backup-service";
    }

    @Override
    protected String schema() {
        return "backup";
    }
}
