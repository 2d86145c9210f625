using System.Net;
using System.Net.NetworkInformation;
using Vigil.Vrrp.Transport;

namespace Vigil.Vrrp.Tests.Protocol;

public class GratuitousArpTests
{
    [Theory]
    // garp-ka1.one.hex: 02:00:00:00:00:11 > ff:ff:ff:ff:ff:ff, Request who-has 198.51.100.100 (ff:ff:ff:ff:ff:ff) tell 198.51.100.100
    [InlineData("02-00-00-00-00-11", "ffffffffffff02000000001108060001080006040001020000000011c6336464ffffffffffffc6336464")]
    // garp-ka2.one.hex: the same from ka2 after it took over
    [InlineData("02-00-00-00-00-12", "ffffffffffff02000000001208060001080006040001020000000012c6336464ffffffffffffc6336464")]
    public void Build_MatchesKeepalivedsCapturedFrame_ByteForByte(string mac, string capturedHex)
    {
        var frame = GratuitousArp.Build(PhysicalAddress.Parse(mac), IPAddress.Parse("198.51.100.100"));
        Assert.Equal(capturedHex, Convert.ToHexString(frame).ToLowerInvariant());
    }
}
