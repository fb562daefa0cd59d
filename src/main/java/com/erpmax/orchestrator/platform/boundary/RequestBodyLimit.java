package com.erpmax.orchestrator.platform.boundary;

import com.erpmax.orchestrator.platform.entity.ErrorCode;
import com.erpmax.orchestrator.platform.entity.ServiceException;

import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Refuses request bodies over 1 MiB with 413, whether the client declared the length or
 * streams it chunked, before more than the limit is read into memory.
 */
@Provider
public class RequestBodyLimit implements ReaderInterceptor {

    public static final int MAX_BYTES = 1024 * 1024;

    /**
     * Most HTTP clients read no response before they have sent the whole body: the rest of a
     * moderately oversized body is read and dropped so that they see the 413 rather than a
     * stalled connection. Past this, the connection is left to fail.
     */
    private static final long DISCARD_AT_MOST = 16L * MAX_BYTES;

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        String declared = context.getHeaders().getFirst("Content-Length");
        if (declared != null && declared.matches("\\d+") && Long.parseLong(declared) > MAX_BYTES) {
            throw tooLarge(context.getInputStream());
        }
        context.setInputStream(new LimitedStream(context.getInputStream()));
        return context.proceed();
    }

    private static ServiceException tooLarge(InputStream rest) throws IOException {
        long discarded = 0;
        byte[] buffer = new byte[64 * 1024];
        for (int read; discarded < DISCARD_AT_MOST && (read = rest.read(buffer)) >= 0; ) {
            discarded += read;
        }
        return new ServiceException(ErrorCode.PAYLOAD_TOO_LARGE, "The request body is larger than " + MAX_BYTES + " bytes");
    }

    private static final class LimitedStream extends FilterInputStream {
        private long remaining = MAX_BYTES;

        LimitedStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int value = super.read();
            if (value >= 0 && --remaining < 0) {
                throw tooLarge(in);
            }
            return value;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int count = super.read(buffer, offset, length);
            if (count > 0 && (remaining -= count) < 0) {
                throw tooLarge(in);
            }
            return count;
        }
    }
}
