package dev.meridian.api;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The daemon's (or a single run's) Prometheus metrics, written in the format a scraper asked
 * for. An OSGi service of the observability bundle; the control API serves it on {@code /metrics},
 * {@code meridian run --metrics-port} on its own loopback port.
 */
public interface MetricsExporter {

    /**
     * The content type of the exposition for a request with this {@code Accept} header ({@code null}
     * for none): OpenMetrics when the scraper accepts it, else the Prometheus text format 0.0.4.
     */
    String contentType(String acceptHeader);

    /** Writes every metric family in the format {@link #contentType} chose for {@code acceptHeader}. */
    void write(String acceptHeader, OutputStream out) throws IOException;
}
