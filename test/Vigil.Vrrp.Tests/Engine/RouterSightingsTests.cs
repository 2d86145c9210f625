using System.Net;
using Vigil.Vrrp.Engine;

namespace Vigil.Vrrp.Tests.Engine;

public sealed class RouterSightingsTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    /// <summary>Adverts from forged sources (any address, unauthenticated) cannot grow the agent's memory without bound.</summary>
    [Fact]
    public void ThousandsOfSources_KeepsTheMostRecent_UpToTheLimit()
    {
        var sightings = new RouterSightings();
        var real = IPAddress.Parse("198.51.100.12");

        for (var i = 0; i < 5000; i++)
        {
            sightings.Heard(i % 10 == 0 ? real : new IPAddress([203, 0, (byte)(i >> 8), (byte)i]), 80, whileMaster: false, At.AddMilliseconds(i));
        }

        var all = sightings.All();
        Assert.Equal(RouterSightings.Kept, all.Count);
        Assert.Contains(all, r => r.Address.Equals(real) && r.Adverts == 500);
        Assert.Contains(all, r => r.Address.Equals(new IPAddress([203, 0, 4999 >> 8, 4999 & 255])));
    }
}
