package org.jvmm.qmp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.CountDownLatch;

/**
 * Serves a {@link QmpMonitor} on a Unix or TCP socket with Netty: epoll where Netty's native
 * transport loads, NIO otherwise (both serve Unix sockets on JDK 25). Any number of clients at
 * once, each with its own negotiation; {@link QmpFramer} frames their input.
 */
public final class QmpServer implements AutoCloseable {
    /** Which Netty transport serves the socket. */
    public enum Transport {
        /** epoll when available, else NIO. */
        AUTO, EPOLL, NIO
    }

    /** The longest JSON text a client may send (QEMU: 64 MiB; jvmm's commands are small). */
    static final int MAX_TEXT = 1 << 20;

    private final QmpMonitor monitor;
    private final QmpEndpoint endpoint;
    private final EventLoopGroup group;
    private final Channel server;
    private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final CountDownLatch firstClient = new CountDownLatch(1);
    private final boolean epoll;

    private QmpServer(QmpMonitor monitor, QmpEndpoint endpoint, Transport transport) throws IOException {
        this.monitor = monitor;
        this.endpoint = endpoint;
        epoll = switch (transport) {
            case AUTO -> Epoll.isAvailable();
            case EPOLL -> {
                Epoll.ensureAvailability();
                yield true;
            }
            case NIO -> false;
        };
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        group = new MultiThreadIoEventLoopGroup(1, Thread.ofPlatform().name("qmp").daemon().factory(), io);
        Class<? extends ServerChannel> type;
        SocketAddress address;
        if (endpoint.unix()) {
            Files.deleteIfExists(endpoint.unixPath()); // as QEMU: a stale socket file is replaced
            type = epoll ? EpollServerDomainSocketChannel.class : NioServerDomainSocketChannel.class;
            address = epoll ? new DomainSocketAddress(endpoint.unixPath().toFile())
                    : UnixDomainSocketAddress.of(endpoint.unixPath());
        } else {
            type = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
            address = new InetSocketAddress(endpoint.host(), endpoint.port());
        }
        try {
            server = new ServerBootstrap().group(group).channel(type).childHandler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    clients.add(ch);
                    ch.pipeline().addLast(new QmpFramer(MAX_TEXT), new ClientHandler());
                }
            }).bind(address).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS);
            throw new IOException("-qmp " + endpoint.spec() + ": cannot listen: " + e.getMessage(), e);
        }
    }

    /**
     * Listens on {@code endpoint}; with wait=on, returns once the first client has connected.
     *
     * @throws IOException naming -qmp and the endpoint when the socket cannot be bound
     */
    public static QmpServer start(QmpMonitor monitor, QmpEndpoint endpoint, Transport transport) throws IOException {
        QmpServer s = new QmpServer(monitor, endpoint, transport);
        if (endpoint.waitForClient()) {
            try {
                s.firstClient.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                s.close();
                throw new IOException("-qmp " + endpoint.spec() + ": interrupted waiting for a client", e);
            }
        }
        return s;
    }

    /** The bound address, as the JDK spells it (a TCP port given as 0 is chosen here). */
    public SocketAddress localAddress() {
        return endpoint.unix() ? UnixDomainSocketAddress.of(endpoint.unixPath()) : server.localAddress();
    }

    /** True when epoll serves the socket, false for NIO. */
    public boolean epoll() {
        return epoll;
    }

    public QmpMonitor monitor() {
        return monitor;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        clients.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        if (endpoint.unix()) {
            try {
                Files.deleteIfExists(endpoint.unixPath());
            } catch (IOException e) {
                // the socket file stays; the next start replaces it
            }
        }
    }

    private final class ClientHandler extends SimpleChannelInboundHandler<Object> {
        private QmpMonitor.Session session;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel ch = ctx.channel();
            session = monitor.open(line -> {
                ByteBuf b = Unpooled.copiedBuffer(line + "\r\n", StandardCharsets.UTF_8);
                ch.writeAndFlush(b);
            });
            firstClient.countDown();
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof QmpFramer.Unframed u) {
                monitor.unframed(session, u.desc());
            } else {
                monitor.input(session, (String) msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (session != null) {
                monitor.close(session);
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a broken connection; the others carry on
        }
    }
}
