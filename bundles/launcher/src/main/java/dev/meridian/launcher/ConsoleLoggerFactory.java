package dev.meridian.launcher;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.Locale;

import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.log.FormatterLogger;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerConsumer;
import org.osgi.service.log.LoggerFactory;

/**
 * The framework's OSGi {@link LoggerFactory}, registered by the launcher before any bundle starts. SCR finds it and
 * reports component failures through it, so they reach the console as one line ("meridian: ... activate method has
 * thrown an exception: IllegalStateException: ...") rather than as SCR's own stack traces; bundles may log through it
 * too. Errors are shown; warnings and stack traces only when debugging; the daemon's log shows warnings and INFO too.
 */
final class ConsoleLoggerFactory implements ServiceFactory<LoggerFactory> {
    private final Console console;
    private final LogLevel threshold;

    ConsoleLoggerFactory(Console console) {
        this.console = console;
        // The daemon's log also shows what bundles report at INFO: deploys, rejections, the stall of a swap.
        this.threshold = console.log() ? LogLevel.INFO : console.debug() ? LogLevel.WARN : LogLevel.ERROR;
    }

    @Override
    public LoggerFactory getService(Bundle bundle, ServiceRegistration<LoggerFactory> registration) {
        return new BundleLoggerFactory(bundle);
    }

    @Override
    public void ungetService(Bundle bundle, ServiceRegistration<LoggerFactory> registration, LoggerFactory service) {
        // Loggers hold no resources.
    }

    /** Loggers for the bundle that got the service, unless the caller names another bundle. */
    private final class BundleLoggerFactory implements LoggerFactory {
        private final Bundle bundle;

        BundleLoggerFactory(Bundle bundle) {
            this.bundle = bundle;
        }

        @Override
        public Logger getLogger(String name) {
            return getLogger(bundle, name, Logger.class);
        }

        @Override
        public Logger getLogger(Class<?> type) {
            return getLogger(bundle, type.getName(), Logger.class);
        }

        @Override
        public <L extends Logger> L getLogger(String name, Class<L> loggerType) {
            return getLogger(bundle, name, loggerType);
        }

        @Override
        public <L extends Logger> L getLogger(Class<?> type, Class<L> loggerType) {
            return getLogger(bundle, type.getName(), loggerType);
        }

        @Override
        public <L extends Logger> L getLogger(Bundle owner, String name, Class<L> loggerType) {
            // Logger has 34 methods that differ only in level and arity: one handler serves them all.
            boolean printf = FormatterLogger.class.isAssignableFrom(loggerType);
            return loggerType.cast(Proxy.newProxyInstance(loggerType.getClassLoader(), new Class<?>[] {loggerType},
                    new ConsoleLogger(owner, name, printf)));
        }
    }

    private final class ConsoleLogger implements InvocationHandler {
        private final Bundle owner;
        private final String name;
        private final boolean printf;

        ConsoleLogger(Bundle owner, String name, boolean printf) {
            this.owner = owner;
            this.name = name;
            this.printf = printf;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] arguments) throws Exception {
            String methodName = method.getName();
            return switch (methodName) {
                case "getName" -> name;
                case "toString" -> "Logger[" + name + "]";
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == arguments[0];
                case "isTraceEnabled", "isDebugEnabled", "isInfoEnabled", "isWarnEnabled", "isErrorEnabled" ->
                        threshold.implies(levelOf(methodName.substring(2, methodName.length() - 7)));
                default -> {
                    LogLevel level = levelOf(methodName);
                    if (threshold.implies(level) && (level != LogLevel.INFO || ownInfo())) {
                        if (arguments[0] instanceof LoggerConsumer<?> consumer) {
                            consumer.accept((Logger) proxy);
                        } else {
                            log(level, (String) arguments[0], Arrays.copyOfRange(arguments, 1, arguments.length));
                        }
                    }
                    yield null;
                }
            };
        }

        /** INFO of Meridian's own bundles only: the framework's extenders (SCR) chat at INFO about themselves. */
        private boolean ownInfo() {
            return owner != null && owner.getSymbolicName() != null && owner.getSymbolicName().startsWith("dev.meridian.");
        }

        private static LogLevel levelOf(String methodName) {
            return LogLevel.valueOf(methodName.toUpperCase(Locale.ROOT));
        }

        private void log(LogLevel level, String format, Object[] parameters) {
            // The varargs overload arrives as one Object[] argument.
            Object[] values = parameters.length == 1 && parameters[0] instanceof Object[] array ? array : parameters;
            Throwable failure = values.length > 0 && values[values.length - 1] instanceof Throwable last ? last : null;
            Object[] substitutions = failure == null ? values : Arrays.copyOf(values, values.length - 1);
            String message = printf ? String.format(format, substitutions) : substitute(format, substitutions);
            String text = (owner == null ? "" : owner.getSymbolicName() + ": ") + message;
            if (level == LogLevel.ERROR) {
                console.error(text, failure);
            } else if (level != LogLevel.WARN && failure == null) {
                console.info(text);
            } else {
                console.warn(text, failure);
            }
        }

        /** The OSGi Logger format: each "{}" takes the next parameter. */
        private static String substitute(String format, Object[] substitutions) {
            StringBuilder text = new StringBuilder(format.length() + 32);
            int next = 0;
            int from = 0;
            int at = format.indexOf("{}");
            while (at >= 0 && next < substitutions.length) {
                text.append(format, from, at).append(substitutions[next++]);
                from = at + 2;
                at = format.indexOf("{}", from);
            }
            return text.append(format, from, format.length()).toString();
        }
    }
}
