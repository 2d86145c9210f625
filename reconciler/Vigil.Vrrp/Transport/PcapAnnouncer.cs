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
        _device.Open(DeviceModes.None);
    }

    public void Announce(IReadOnlyList<IPAddress> addresses, int times)
    {
        lock (_gate)
        {
            for (var round = 0; round < times; round++)
            {
                foreach (var address in addresses)
                {
                    _device.SendPacket(address.AddressFamily == AddressFamily.InterNetworkV6
                        ? UnsolicitedNeighborAdvertisement.Build(_source, address)
                        : GratuitousArp.Build(_source, address));
                }
            }
        }
    }

    public void Dispose() => _device.Dispose();
}
