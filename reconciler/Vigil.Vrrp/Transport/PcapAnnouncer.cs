using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using SharpPcap;
using SharpPcap.LibPcap;

namespace Vigil.Vrrp.Transport;

/// <summary>
/// Sends the announcement frames through libpcap on one interface. The device is opened once, when the
/// instance starts, so that taking over costs no more than the send itself.
/// </summary>
public sealed class PcapAnnouncer : IAnnouncer
{
    private readonly Lock _gate = new();
    private readonly LibPcapLiveDevice _device;
    private readonly PhysicalAddress _source;

    /// <param name="source">The MAC the frames come from: the interface's, or the virtual MAC.</param>
    public PcapAnnouncer(string interfaceName, PhysicalAddress source)
    {
        _source = source;
        _device = LibPcapLiveDeviceList.New().FirstOrDefault(d => d.Name == interfaceName)
            ?? throw new InvalidOperationException($"libpcap does not list interface {interfaceName}");
        // It only sends. A capture handle still fills its ring with every frame on the link, unread: libpcap's default
        // 2 MiB per instance became resident pages. A small ring, and a filter that takes nothing, keep it empty.
        _device.Open(new DeviceConfiguration { Mode = DeviceModes.None, BufferSize = 64 * 1024, Snaplen = 64 });
        _device.Filter = "less 1"; // no frame is that short (a filter that is plainly false, libpcap refuses)
        // Load and compile the frame builders and the send now, not during the first takeover: a method is
        // compiled on its first call, and PrepareMethod was measured not to prevent that.
        _ = GratuitousArp.Build(source, IPAddress.Loopback);
        _ = UnsolicitedNeighborAdvertisement.Build(source, IPAddress.IPv6Loopback);
        Announce([], 1);
        SendRunt();
    }

    /// <summary>
    /// One byte, shorter than an Ethernet header: the kernel refuses it (EINVAL) and nothing is sent, but libpcap's
    /// send and SharpPcap's wrapper around it have run once.
    /// </summary>
    private void SendRunt()
    {
        try
        {
            _device.SendPacket([0]);
        }
        catch (PcapException)
        {
            // Refused, as intended.
        }
    }

    public void Announce(IReadOnlyList<IPAddress> addresses, int times)
    {
        lock (_gate)
        {
            for (var round = 0; round < times; round++)
            {
                foreach (var address in addresses)
                {
                    Send(address.AddressFamily == AddressFamily.InterNetworkV6
                        ? UnsolicitedNeighborAdvertisement.Build(_source, address)
                        : GratuitousArp.Build(_source, address));
                }
            }
        }
    }

    /// <summary>
    /// Sends one frame, trying once more if the send fails: when the interface goes down, the kernel leaves an error
    /// (ENETDOWN) on the packet socket that the next send reports and clears, even after the link is back up. Without
    /// the second try, the first takeover after a link flap lost its whole GARP burst and clients kept the old master
    /// until their neighbour entry timed out (5 s, seen in the chaos suite's link flaps).
    /// </summary>
    private void Send(byte[] frame)
    {
        try
        {
            _device.SendPacket(frame);
        }
        catch (PcapException)
        {
            _device.SendPacket(frame);
        }
    }

    /// <summary>Frames libpcap took into the ring so far (none: nothing reads them).</summary>
    public long Captured => _device.Statistics.ReceivedPackets;

    public void Dispose() => _device.Dispose();
}
