package dev.sluice.activities.deploy.ssh;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.SshAgentFactory;
import org.apache.sshd.agent.SshAgentServer;
import org.apache.sshd.agent.common.AbstractAgentProxy;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * The keys of a running {@code ssh-agent}, over its UNIX socket with the JDK's own socket channel
 * (MINA's agent client needs the native Tomcat APR library). The agent signs; no private key enters
 * the worker. Agent forwarding to the hosts is not offered.
 */
final class UnixSocketAgent extends AbstractAgentProxy {

  private static final int MAX_MESSAGE = 256 * 1024;

  private final SocketChannel channel;

  private UnixSocketAgent(SocketChannel channel) {
    super(null);
    this.channel = channel;
  }

  static UnixSocketAgent connect(Path socket) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      channel.close();
      throw new IOException("cannot reach the SSH agent at " + socket + ": " + e.getMessage(), e);
    }
    return new UnixSocketAgent(channel);
  }

  @Override
  protected synchronized Buffer request(Buffer buffer) throws IOException {
    int end = buffer.wpos();
    buffer.wpos(buffer.rpos());
    buffer.putInt(end - buffer.rpos() - 4);
    buffer.wpos(end);
    ByteBuffer out = ByteBuffer.wrap(buffer.array(), buffer.rpos(), buffer.available());
    while (out.hasRemaining()) {
      channel.write(out);
    }
    ByteBuffer length = read(4);
    int size = length.getInt();
    if (size <= 0 || size > MAX_MESSAGE) {
      throw new IOException("the SSH agent answered a message of " + size + " bytes");
    }
    return new ByteArrayBuffer(read(size).array());
  }

  private ByteBuffer read(int size) throws IOException {
    ByteBuffer in = ByteBuffer.allocate(size);
    while (in.hasRemaining()) {
      if (channel.read(in) < 0) {
        throw new EOFException("the SSH agent closed the connection");
      }
    }
    return in.flip();
  }

  @Override
  public boolean isOpen() {
    return channel.isOpen();
  }

  @Override
  public void close() throws IOException {
    channel.close();
    super.close();
  }

  /** Hands MINA one agent connection per session, to the socket given. */
  record Factory(Path socket) implements SshAgentFactory {

    @Override
    public List<ChannelFactory> getChannelForwardingFactories(FactoryManager manager) {
      return List.of();
    }

    @Override
    public SshAgent createClient(Session session, FactoryManager manager) throws IOException {
      return connect(socket);
    }

    @Override
    public SshAgentServer createServer(ConnectionService service) {
      throw new UnsupportedOperationException("Sluice does not forward the SSH agent");
    }
  }
}
