using System.Net;
using Vigil.Vrrp.Protocol;

namespace Vigil.Fuzz.Targets;

/// <summary>
/// A datagram from the segment: the IPv4 header and VRRP codec, then an instance's filter (v2 with PASS and v3 alike).
/// The first byte picks IPv4 (the datagram follows) or IPv6 (the VRRP message follows, as the socket hands it over).
/// </summary>
public sealed class VrrpTarget : IFuzzTarget
{
    private static readonly IPAddress[] Own = [IPAddress.Parse("198.51.100.11")];
    private readonly AdvertisementFilter _v2 = new(new InstanceExpectation(2, 51, 100, VrrpAuthType.SimpleText, "s3cr3t"u8.ToArray(), Own));
    private readonly AdvertisementFilter _v3 = new(new InstanceExpectation(3, 51, 10, VrrpAuthType.NoAuthentication, ReadOnlyMemory<byte>.Empty, Own));

    public string Name => "vrrp";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }
        VrrpRejection verdict;
        VrrpAdvertisement? advertisement;
        IPAddress source;
        if ((input[0] & 1) == 0)
        {
            verdict = VrrpDatagram.TryDecodeIpv4(input[1..], out var header, out advertisement);
            source = header.Source ?? IPAddress.Any;
        }
        else
        {
            source = IPAddress.Parse("fe80::12");
            verdict = VrrpCodec.TryDecode(input[1..], source, IPAddress.Parse("ff02::12"), out advertisement);
        }
        _ = _v2.Check(verdict, source, advertisement);
        _ = _v3.Check(verdict, source, advertisement);
    }
}
