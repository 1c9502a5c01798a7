// LoopbackServer starts DynamoDB Local like its own main class does, except
// that the HTTP listener binds to 127.0.0.1 only. DynamoDB Local 1.25.1 has
// no option for the listen address: its Jetty server listens on every
// interface. This class takes the same command-line options.
//
// The tools installer (go run ./cmd/cartable-local tools) compiles it with
// javac against DynamoDBLocal.jar. It reaches a private field by reflection,
// so it is tied to the pinned DynamoDB Local version.
import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

public final class LoopbackServer {
    private LoopbackServer() {}

    public static void main(String[] args) throws Exception {
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);

        Field field = DynamoDBProxyServer.class.getDeclaredField("server");
        field.setAccessible(true);
        Server server = (Server) field.get(proxy);
        for (Connector connector : server.getConnectors()) {
            if (!(connector instanceof ServerConnector)) {
                throw new IllegalStateException("unexpected Jetty connector " + connector.getClass().getName());
            }
            ((ServerConnector) connector).setHost("127.0.0.1");
        }

        proxy.start();
    }
}
