package dev.atpin.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Bounds every request body ({@code atpin.api.max-body-bytes}) and refuses larger ones in the API's
 * own error shape: by the declared length up front, and by counting for bodies sent without one.
 */
@Provider
@PreMatching
public class BodyLimit implements ContainerRequestFilter, ReaderInterceptor {

    // Providers are built before runtime config mappings exist: read the value when first needed.
    private volatile int limit = -1;

    private int limit() {
        if (limit < 0) {
            limit = ConfigProvider.getConfig().getOptionalValue("atpin.api.max-body-bytes", Integer.class).orElse(65536);
        }
        return limit;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String declared = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > limit()) {
                    request.abortWith(ApiExceptionMapper.failure(413, "BODY_TOO_LARGE", tooLarge()));
                }
            } catch (NumberFormatException e) {
                request.abortWith(ApiExceptionMapper.failure(400, "BAD_REQUEST", "invalid Content-Length"));
            }
        }
    }

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        context.setInputStream(new Counting(context.getInputStream(), limit()));
        return context.proceed();
    }

    private String tooLarge() {
        return "the request body may have at most " + limit() + " bytes";
    }

    private final class Counting extends FilterInputStream {
        private final int max;
        private long seen;

        Counting(InputStream in, int max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int off, int len) throws IOException {
            int n = super.read(buffer, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) {
            seen += n;
            if (seen > max) {
                throw new ApiException(ApiException.Kind.TOO_LARGE, "BODY_TOO_LARGE", tooLarge());
            }
        }
    }
}
