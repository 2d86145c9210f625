using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
        // Load and compile the frame builders and bind libpcap's send now, not during the first takeover.
        _ = GratuitousArp.Build(source, IPAddress.Loopback);
        _ = UnsolicitedNeighborAdvertisement.Build(source, IPAddress.IPv6Loopback);
        PrepareSend();
    }

    /// <summary>Generates the pcap_sendpacket marshalling stub ahead of time (several milliseconds when cold).</summary>
    private static void PrepareSend()
    {
        var natives = typeof(LibPcapLiveDevice).Assembly.GetType("SharpPcap.LibPcap.LibPcapSafeNativeMethods");
        foreach (var method in natives?.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
                     .Where(m => m.Name == "pcap_sendpacket") ?? [])
        {
            try
            {
                Marshal.Prelink(method);
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                // Bound on first use instead.
            }
        }
        foreach (var method in typeof(LibPcapLiveDevice).GetMethods().Where(m => m.Name == nameof(LibPcapLiveDevice.SendPacket) && !m.IsGenericMethodDefinition))
        {
            RuntimeHelpers.PrepareMethod(method.MethodHandle);
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
                    _device.SendPacket(address.AddressFamily == AddressFamily.InterNetworkV6
                        ? UnsolicitedNeighborAdvertisement.Build(_source, address)
                        : GratuitousArp.Build(_source, address));
                }
            }
        }
    }

    public void Dispose() => _device.Dispose();
}
