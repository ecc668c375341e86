package com.aiinference.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aiinference.testing.TransportProperty;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The transport is epoll where Netty's native library loads (this jar carries it for linux-x86_64), else NIO. */
class NettyTransportTest {
    @RegisterExtension
    final TransportProperty transport = new TransportProperty();

    @Test
    void onLinuxX86TheNativeEpollTransportLoadsAndIsTheDefault() {
        System.clearProperty(NettyTransport.PROPERTY);
        boolean linuxX86 = System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
                && System.getProperty("os.arch").matches("amd64|x86_64");
        if (linuxX86) {
            assertThat(Epoll.isAvailable()).as(String.valueOf(Epoll.unavailabilityCause())).isTrue();
            assertThat(NettyTransport.current()).isEqualTo(NettyTransport.EPOLL);
            var group = NettyTransport.current().group(1, "transport-test");
            try {
                assertThat(group).isInstanceOf(EpollEventLoopGroup.class);
            } finally {
                group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
            }
        } else {
            assertThat(NettyTransport.current()).isEqualTo(Epoll.isAvailable() ? NettyTransport.EPOLL : NettyTransport.NIO);
        }
    }

    @Test
    void nioCanBeChosen() {
        transport.set("NIO");
        assertThat(NettyTransport.current()).isEqualTo(NettyTransport.NIO);
        var group = NettyTransport.NIO.group(1, "transport-test");
        try {
            assertThat(group).isInstanceOf(NioEventLoopGroup.class);
        } finally {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void theBufferLeakDetectorIsOffUnlessAskedFor() {
        io.netty.util.ResourceLeakDetector.Level level = io.netty.util.ResourceLeakDetector.getLevel();
        try {
            io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.SIMPLE);
            NettyTransport.NIO.group(1, "transport-test").shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(io.netty.util.ResourceLeakDetector.getLevel()).isEqualTo(io.netty.util.ResourceLeakDetector.Level.DISABLED);
            System.setProperty("io.netty.leakDetection.level", "paranoid");
            io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.PARANOID);
            NettyTransport.NIO.group(1, "transport-test").shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(io.netty.util.ResourceLeakDetector.getLevel()).isEqualTo(io.netty.util.ResourceLeakDetector.Level.PARANOID);
        } finally {
            System.clearProperty("io.netty.leakDetection.level");
            io.netty.util.ResourceLeakDetector.setLevel(level);
        }
    }

    @Test
    void anUnknownTransportIsOneLineNamingTheProperty() {
        transport.set("io_uring");
        assertThatThrownBy(NettyTransport::current).isInstanceOf(NettyTransport.Unavailable.class)
                .hasMessage("-Daiinference.transport=io_uring: expected auto, epoll or nio");
    }
}
