package dev.tallyman.host.plugins;

import java.util.function.Supplier;

/**
 * Runs a call into a driver with the thread's context class loader set to the driver's own, so code in a plugin
 * that looks classes up through the context loader (ServiceLoader, many libraries) finds its jar and the SPI,
 * not the service's class path; the caller's loader is put back afterwards.
 */
public final class PluginCalls {
    private PluginCalls() {
    }

    public static <T> T within(Object driverOrProvider, Supplier<T> call) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        ClassLoader own = driverOrProvider.getClass().getClassLoader();
        if (!(own instanceof PluginClassLoader)) {
            return call.get();
        }
        thread.setContextClassLoader(own);
        try {
            return call.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    public static void run(Object driverOrProvider, Runnable call) {
        within(driverOrProvider, () -> {
            call.run();
            return null;
        });
    }
}
