package com.aiinference.testing;

import com.aiinference.io.NettyTransport;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Puts {@link NettyTransport#PROPERTY} back as it was after each test, for tests that choose a transport
 * ({@code @RegisterExtension final TransportProperty transport = new TransportProperty();}).
 */
public final class TransportProperty implements BeforeEachCallback, AfterEachCallback {
    private String before;

    @Override
    public void beforeEach(ExtensionContext context) {
        before = System.getProperty(NettyTransport.PROPERTY);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (before == null) {
            System.clearProperty(NettyTransport.PROPERTY);
        } else {
            System.setProperty(NettyTransport.PROPERTY, before);
        }
    }

    /** Chooses {@code value} (auto, epoll, nio) for the rest of the test. */
    public void set(String value) {
        System.setProperty(NettyTransport.PROPERTY, value);
    }
}
