package com.aiinference.io;

import com.aiinference.core.DomainException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Locale;

/**
 * The Netty transport of the load test's client and the simulator's servers: Linux's native epoll where Netty's
 * native library loads (it is in the jar for linux-x86_64), the JDK's NIO selector elsewhere. Epoll spends less CPU
 * per read and write (no selected-key set, edge-triggered, fewer syscalls), which is the load generator's budget.
 *
 * <p>The system property {@value #PROPERTY} picks one: {@code auto} (the default), {@code epoll} (refused with one
 * line when it is not available) or {@code nio}.
 */
public enum NettyTransport {
    EPOLL,
    NIO;

    public static final String PROPERTY = "aiinference.transport";

    /** The transport this process uses ({@value #PROPERTY}, else epoll when available). */
    public static NettyTransport current() {
        String wanted = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        return switch (wanted) {
            case "auto", "" -> epollAvailable() ? EPOLL : NIO;
            case "nio" -> NIO;
            case "epoll" -> {
                if (!epollAvailable()) {
                    throw new Unavailable("-D" + PROPERTY + "=epoll: Netty's epoll transport is not available here ("
                            + Epoll.unavailabilityCause() + "); use nio or auto");
                }
                yield EPOLL;
            }
            default -> throw new Unavailable("-D" + PROPERTY + "=" + wanted + ": expected auto, epoll or nio");
        };
    }

    private static boolean epollAvailable() {
        try {
            return Epoll.isAvailable();
        } catch (LinkageError e) {
            return false;
        }
    }

    /**
     * A group of {@code threads} event loops on daemon threads named {@code name-...}. Netty's buffer leak detector
     * is off unless {@code -Dio.netty.leakDetection.level} asks for it: at its default level it records a stack trace
     * for one buffer in 128, which on a load generator's hot path is CPU spent on every few requests.
     */
    public EventLoopGroup group(int threads, String name) {
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        DefaultThreadFactory factory = new DefaultThreadFactory(name, true);
        return this == EPOLL ? new EpollEventLoopGroup(threads, factory) : new NioEventLoopGroup(threads, factory);
    }

    public Class<? extends SocketChannel> socketChannel() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    public Class<? extends ServerSocketChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** A transport that was asked for and cannot be used, or a bad value of {@value #PROPERTY}. */
    public static final class Unavailable extends DomainException {
        public Unavailable(String message) {
            super(message);
        }
    }
}
