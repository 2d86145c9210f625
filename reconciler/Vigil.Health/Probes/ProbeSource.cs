using System.Net;
using System.Net.Sockets;
using System.Text;
using Vigil.Core.Desired;

namespace Vigil.Health.Probes;

/// <summary>
/// Where a check's packets come from (keepalived's bindto, bind_port and bind_if), applied to each socket a probe opens
/// before it connects or sends.
/// </summary>
public sealed record ProbeSource(IPAddress? Address, int Port, string? Interface)
{
    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;

    public static ProbeSource? Of(HealthCheckSpec check) =>
        check.BindsSource() ? new ProbeSource(check.BindAddress, check.BindPort ?? 0, check.BindInterface) : null;

    /// <summary>Binds <paramref name="socket"/>; the reason when it cannot be (an address not the node's, no such interface).</summary>
    public string? Bind(Socket socket)
    {
        try
        {
            Apply(socket);
            return null;
        }
        catch (SocketException e)
        {
            return $"bind {this}: {TcpProbe.Describe(e)}";
        }
    }

    private void Apply(Socket socket)
    {
        if (Interface is not null)
        {
            socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(Interface + "\0"));
        }
        if (Port != 0 && socket.SocketType == SocketType.Stream)
        {
            // The same source port every run: closed with a reset, so no TIME_WAIT keeps it from the next connect.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.LingerState = new LingerOption(true, 0);
        }
        if (Address is not null || Port != 0)
        {
            var any = socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
            socket.Bind(new IPEndPoint(Address ?? any, socket.SocketType == SocketType.Raw ? 0 : Port));
        }
    }

    public override string ToString() =>
        string.Join(' ', new[] { Address is null ? null : $"from {Address}", Port == 0 ? null : $"port {Port}", Interface is null ? null : $"via {Interface}" }.OfType<string>());
}

/// <summary>A check's source could not be bound (thrown where a probe's socket is opened for it, as in an HTTP connect callback).</summary>
public sealed class UnboundSourceException(string message) : IOException(message);
