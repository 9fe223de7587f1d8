package io.junoscommander.task;

import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.infra.testing.ServiceFoundationContract;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class TaskServiceFoundationTest extends ServiceFoundationContract {

    @Override
    protected String serviceName() {
        return "task-service";
    }

    @Override
    protected String schema() {
        return "task";
    }
}
