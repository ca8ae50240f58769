package dev.tallyman.host.it;

import java.io.IOException;
import java.io.InputStream;

/**
 * The entry point of the test broker's child JVM: Kafka's own main, plus a watch on stdin that ends the broker
 * when the test JVM that holds the other end goes away, even by SIGKILL, so no broker outlives its test.
 */
public final class KafkaBrokerMain {
    private KafkaBrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        Thread watch = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // nothing is ever sent; EOF is the signal
                }
            } catch (IOException e) {
                // the pipe broke: the test is gone as well
            }
            Runtime.getRuntime().halt(3);
        }, "parent-watch");
        watch.setDaemon(true);
        watch.start();
        kafka.Kafka.main(args);
    }
}
