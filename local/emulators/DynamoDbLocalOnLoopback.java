import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.amazonaws.services.dynamodbv2.local.shared.access.sqlite.SQLiteLibraryLoader;
import com.almworks.sqlite4java.SQLiteConnection;
import java.io.File;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * Starts AWS's DynamoDB Local as its own main class does, with two differences it has
 * no options for: the listener is bound to 127.0.0.1 (DynamoDB Local binds every
 * interface and has no bind option), and a request without the front's token
 * (env HILUM_DYNAMODB_FRONT_TOKEN, in header x-hilum-front) is refused, so only the
 * SigV4-verifying front in local/emulators/dynamodb.ts can use it. Run as a Java
 * single-file program: `java -cp <DynamoDBLocal.jar and its libs> DynamoDbLocalOnLoopback.java <DynamoDB Local args>`.
 * Prints `hilum-dynamodb-port=<port>` once it listens (port 0 picks a free one).
 *
 * Database files are kept in SQLite's write-ahead log (see useWriteAheadLog): with `-sharedDb` the one file is
 * switched before DynamoDB Local opens it; without it, each key's new file is created so before the key's first
 * request reaches DynamoDB Local.
 */
public class DynamoDbLocalOnLoopback {
  public static void main(String[] args) throws Exception {
    String token = System.getenv("HILUM_DYNAMODB_FRONT_TOKEN");
    if (token == null || token.length() < 32) {
      System.err.println("HILUM_DYNAMODB_FRONT_TOKEN must be set (32 characters or more)");
      System.exit(2);
    }
    byte[] expected = token.getBytes(StandardCharsets.UTF_8);

    // DynamoDB Local's own option parser refuses port 0; the connector takes it.
    int port = -1;
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("-port")) {
        port = Integer.parseInt(args[i + 1]);
        args[i + 1] = "8000";
      }
    }
    File perKeyDatabases = useWriteAheadLog(args);
    Set<String> created = ConcurrentHashMap.newKeySet();
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    for (Connector connector : server.getConnectors()) {
      ((ServerConnector) connector).setHost("127.0.0.1");
      if (port >= 0) ((ServerConnector) connector).setPort(port);
    }
    Handler dynamodb = server.getHandler();
    server.setHandler(new Handler.Wrapper(dynamodb) {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String given = request.getHeaders().get("x-hilum-front");
        if (given == null || !MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
          Response.writeError(request, response, callback, 403);
          return true;
        }
        if (perKeyDatabases != null) createPerKeyDatabase(perKeyDatabases, request.getHeaders().get("authorization"), created);
        return super.handle(request, response, callback);
      }
    });
    proxy.start();
    System.out.println("hilum-dynamodb-port=" + ((ServerConnector) server.getConnectors()[0]).getLocalPort());
    System.out.flush();
  }

  /**
   * DynamoDB Local leaves SQLite in its default rollback-journal mode: every write request's commit creates,
   * writes, syncs and deletes a journal file beside the database and syncs the database too, most of a write's
   * CPU in the kernel. In write-ahead-log mode a commit appends to one log file and syncs it (still durable at
   * commit: synchronous stays FULL), and the log is folded into the database at checkpoints and on close. The
   * mode is stored in the database file, so setting it before DynamoDB Local opens the file applies to its own
   * connection. With `-sharedDb` the one file (`shared-local-instance.db`) is converted or created here; without it
   * each key and region has its own file, named at its first request, and the folder is returned for
   * createPerKeyDatabase.
   */
  static File useWriteAheadLog(String[] args) throws Exception {
    String dbPath = null;
    boolean shared = false;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("-sharedDb")) shared = true;
      if (args[i].equals("-inMemory")) return null;
      if (args[i].equals("-dbPath") && i + 1 < args.length) dbPath = args[i + 1];
    }
    if (dbPath == null) return null;
    // sqlite4java logs every open and close at INFO.
    Logger.getLogger("com.almworks.sqlite4java").setLevel(Level.WARNING);
    // DynamoDB Local's own native SQLite, loaded as it loads it: sqlite4java would otherwise load another build
    // from java.library.path first, and the JVM crashes once DynamoDB Local loads its own beside it.
    SQLiteLibraryLoader.initialize();
    if (!shared) return new File(dbPath);
    inWriteAheadLog(new File(dbPath, "shared-local-instance.db"));
    return null;
  }

  private static final Pattern CREDENTIAL = Pattern.compile("Credential=([A-Za-z0-9]{1,128})/\\d{8}/([a-z0-9-]{1,32})/");

  /**
   * Creates the database of a request's key and region (DynamoDB Local's name for it: `<key>_<region>.db`) in
   * write-ahead-log mode, once per name in this JVM and before any request of that key reaches DynamoDB Local, so
   * no connection has it open yet. A file an earlier run created is left as it is.
   */
  static void createPerKeyDatabase(File folder, String authorization, Set<String> created) throws Exception {
    if (authorization == null) return;
    Matcher credential = CREDENTIAL.matcher(authorization);
    if (!credential.find()) return;
    String name = credential.group(1) + "_" + credential.group(2) + ".db";
    if (created.contains(name)) return;
    synchronized (created) {
      if (created.contains(name)) return;
      File file = new File(folder, name);
      if (!file.exists()) inWriteAheadLog(file);
      created.add(name);
    }
  }

  static void inWriteAheadLog(File database) throws Exception {
    SQLiteConnection connection = new SQLiteConnection(database);
    try {
      connection.open(true);
      connection.exec("PRAGMA journal_mode=WAL");
    } finally {
      connection.dispose();
    }
  }
}
