using System.Net;
using System.Net.Sockets;

namespace Bookstore.Hosting.Orchestration;

/// <summary>
/// Free loopback ports from the kernel. Each stays reserved (bound) until the process that will listen on it is
/// about to start, so two AppHosts or parallel test runs do not pick the same one.
/// </summary>
internal static class PortAllocator
{
    public static Socket Reserve()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    public static int PortOf(Socket socket) => ((IPEndPoint)socket.LocalEndPoint!).Port;
}
